package voipgateway.storage.embedded;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.bson.Document;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import voipgateway.storage.DurableH2Backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A data file an earlier release wrote (Java-serialized maps) is converted once and serves as before. */
class StoreFormatTest {

    private static final int CALLS = 12_000;

    @TempDir
    Path dir;

    @Test
    void anEarlierReleasesFileIsConvertedOnceWithItsDocumentsAndUniqueIndexes() {
        String file = dir.resolve("mongo.mv.db").toString();
        withServer(new H2Backend(file), calls -> {
            calls.createIndex(Indexes.ascending("_id", "version"), new IndexOptions().unique(true));
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                batch.add(call(i));
            }
            calls.insertMany(batch);
        });

        for (int start = 0; start < 2; start++) {
            withServer(new DurableH2Backend(file), calls -> {
                assertEquals(CALLS, calls.countDocuments());
                Document found = calls.find(Filters.and(Filters.eq("_id", "call-17"), Filters.eq("version", 2)))
                        .first();
                assertEquals(call(17), found);
                assertThrows(MongoWriteException.class, () -> calls.insertOne(new Document("_id", "call-17")));
                calls.updateOne(Filters.eq("_id", "call-17"), Updates.inc("version", 1));
                calls.updateOne(Filters.eq("_id", "call-17"), Updates.inc("version", -1));
            });
        }
        try (MVStore store = MVStore.open(file)) {
            assertEquals(StoreFormat.BSON, store.openMap(StoreFormat.MARKER_MAP).get(StoreFormat.VALUES));
            assertFalse(store.getMapNames().stream().anyMatch(name -> name.startsWith("voip-gateway.copy.")),
                    store.getMapNames().toString());
        }
    }

    @Test
    void aConversionCutShortStartsAgainFromTheUntouchedOldMaps() {
        String file = dir.resolve("mongo.mv.db").toString();
        withServer(new H2Backend(file), calls -> calls.insertOne(call(1)));
        // what a kill in the middle of copying leaves: a partial copy, no marker
        try (MVStore store = MVStore.open(file)) {
            MVMap<Object, byte[]> partialCopy = store.openMap("voip-gateway.copy.databases.voip.calls",
                    TypedMaps.DOCUMENTS.builder());
            partialCopy.put("call-0", BsonDocuments.encode(new de.bwaldvogel.mongo.bson.Document("_id", "call-0")));
            store.commit();
        }

        withServer(new DurableH2Backend(file), calls -> assertEquals(List.of(call(1)),
                calls.find().into(new ArrayList<>())));
    }

    private static Document call(int i) {
        return new Document("_id", "call-" + i).append("version", 2).append("status", "answered")
                .append("toPhone", String.format("+91 9%09d", i))
                .append("createdAt", Date.from(Instant.parse("2026-11-27T07:20:30.261Z")))
                .append("events", List.of(new Document("status", "ringing"), new Document("status", "answered")));
    }

    private static void withServer(MongoBackend backend, Consumer<MongoCollection<Document>> use) {
        MongoServer server = new MongoServer(backend);
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort())) {
            use.accept(client.getDatabase("voip").getCollection("calls"));
        } finally {
            server.shutdownNow();
        }
    }
}

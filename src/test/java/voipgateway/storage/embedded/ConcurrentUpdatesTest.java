package voipgateway.storage.embedded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import voipgateway.ExternalMongo;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Many writers changing the same few documents while each write is committed (as the service runs the embedded
 * server): every change is applied, and the file read again after a restart holds them all, each document whole.
 */
class ConcurrentUpdatesTest {

    private static final int CALLS = 20;
    private static final int WRITERS = 8;
    private static final int UPDATES_EACH = 300;

    @TempDir
    Path dir;

    @Test
    void everyConcurrentChangeIsAppliedAndSurvivesARestart() throws Exception {
        ExternalMongo mongo = new ExternalMongo(dir.resolve("mongo.mv.db"));
        try (MongoClient client = MongoClients.create(mongo.uri())) {
            MongoCollection<Document> calls = client.getDatabase("voip").getCollection("calls");
            for (int i = 0; i < CALLS; i++) {
                calls.insertOne(new Document("_id", "call-" + i).append("version", 0).append("events", List.of()));
            }
            ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    for (int u = 0; u < UPDATES_EACH; u++) {
                        // fields added, changed and grown: the document's shape changes with every update
                        calls.updateOne(Filters.eq("_id", "call-" + (u % CALLS)), Updates.combine(
                                Updates.inc("version", 1), Updates.set("writer" + writer, u),
                                Updates.push("events", new Document("writer", writer).append("update", u))));
                    }
                    return null;
                }));
            }
            for (Future<?> writer : done) {
                writer.get();
            }
            writers.shutdown();
        } finally {
            mongo.stop();
        }

        mongo.start();
        try (MongoClient client = MongoClients.create(mongo.uri())) {
            long versions = 0;
            long events = 0;
            for (Document call : client.getDatabase("voip").getCollection("calls").find()) {
                versions += call.getInteger("version");
                events += call.getList("events", Document.class).size();
            }
            assertEquals(WRITERS * UPDATES_EACH, versions);
            assertEquals(WRITERS * UPDATES_EACH, events);
        } finally {
            mongo.stop();
        }
    }
}

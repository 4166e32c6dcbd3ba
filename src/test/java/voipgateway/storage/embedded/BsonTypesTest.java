package voipgateway.storage.embedded;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.DataType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded store's BSON types: what is written reads back equal, and the order is MongoDB's. */
class BsonTypesTest {

    @Test
    void aDocumentOfEveryKindOfValueReadsBackEqualAndInFieldOrder() {
        Document call = new Document("_id", "6bbc9dcfebe85e1fdde95c13")
                .append("status", "dialing")
                .append("version", 3)
                .append("rank", 12_345_678_901L)
                .append("cost", 0.25)
                .append("answered", true)
                .append("endedAt", null)
                .append("createdAt", Instant.parse("2026-11-27T07:20:30.261Z"))
                .append("agentId", new ObjectId())
                .append("price", new Decimal128(new BigDecimal("12.50")))
                .append("requestId", UUID.randomUUID())
                .append("provider", new Document("name", "SansPBX").append("answer", new Document("code", 200)))
                .append("events", new ArrayList<>(List.of(new Document("status", "ringing"), "answered", 7)));

        Document read = BsonDocuments.decode(roundTrip(BsonDocuments.INSTANCE, BsonDocuments.encode(call)));

        assertEquals(call, read);
        assertEquals(new ArrayList<>(call.keySet()), new ArrayList<>(read.keySet()));
    }

    @Test
    void documentsFollowOneAnotherInAPage() {
        WriteBuffer buffer = new WriteBuffer();
        List<Document> documents = List.of(new Document("_id", 1), new Document("_id", 2).append("status", "answered"));
        BsonDocuments.INSTANCE.write(buffer, documents.stream().map(BsonDocuments::encode).toArray(byte[][]::new), 2);
        ByteBuffer bytes = buffer.getBuffer().flip();
        byte[][] read = BsonDocuments.INSTANCE.createStorage(2);
        BsonDocuments.INSTANCE.read(bytes, read, 2);

        assertEquals(documents, Arrays.stream(read).map(BsonDocuments::decode).toList());
        assertEquals(0, bytes.remaining());
    }

    @Test
    void idsReadBackEqualWhateverTheirType() {
        for (Object id : List.of("call-1", new ObjectId(), 42, 42L, 4.5, Missing.getInstance(), new Document("a", 1))) {
            assertEquals(id, roundTrip(BsonValues.INSTANCE, id), String.valueOf(id));
        }
    }

    @Test
    void idsAreOrderedAsMongoDbOrdersThemAndOnlyEqualValuesCompareEqual() {
        BsonValues ids = BsonValues.INSTANCE;
        assertTrue(ids.compare("call-1", "call-2") < 0);
        assertTrue(ids.compare(2, "call-1") < 0, "numbers before strings");
        assertTrue(ids.compare(1, 2L) < 0);
        assertEquals(0, ids.compare("call-1", "call-1"));
        assertNotEquals(0, ids.compare(null, Missing.getInstance()));
        assertEquals(-Integer.signum(ids.compare(null, Missing.getInstance())),
                Integer.signum(ids.compare(Missing.getInstance(), null)));
    }

    @Test
    void indexKeysReadBackEqualAndCompareFieldByField() {
        KeyValue key = new KeyValue("call-1", 3.0, null);
        assertEquals(key, roundTrip(IndexKeys.INSTANCE, key));

        IndexKeys keys = IndexKeys.INSTANCE;
        assertEquals(0, keys.compare(new KeyValue("call-1", 3.0), new KeyValue("call-1", 3.0)));
        assertTrue(keys.compare(new KeyValue("call-1", 3.0), new KeyValue("call-1", 4.0)) < 0);
        assertTrue(keys.compare(new KeyValue("call-2", 1.0), new KeyValue("call-1", 4.0)) > 0);
        assertTrue(keys.compare(new KeyValue("call-1"), new KeyValue("call-1", 1.0)) < 0);
    }

    private static <T> T roundTrip(DataType<T> type, T value) {
        WriteBuffer buffer = new WriteBuffer();
        type.write(buffer, value);
        buffer.putInt(0x5AFE); // whatever follows in the page must be left unread
        ByteBuffer bytes = buffer.getBuffer().flip();
        T read = type.read(bytes);
        assertEquals(0x5AFE, bytes.getInt(), "read exactly what was written");
        return read;
    }
}

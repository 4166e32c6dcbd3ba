package voipgateway.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A write the embedded server acknowledged is still there after its process is killed at once (kill -9). */
class EmbeddedMongoCrashTest {

    /** The process that writes and dies: the embedded server as the service runs it, a write, then halt. */
    public static final class WriteThenDie {
        public static void main(String[] args) {
            EmbeddedMongo mongo = new EmbeddedMongo(Path.of(args[0]), 0);
            try (MongoClient client = MongoClients.create(mongo.connectionString())) {
                for (int i = 0; i < 20; i++) {
                    client.getDatabase("voip").getCollection("calls").insertOne(new Document("_id", "call-" + i));
                }
                client.getDatabase("voip").getCollection("calls").updateOne(new Document("_id", "call-19"),
                        new Document("$set", new Document("status", "dialing")));
            }
            System.out.println("acknowledged");
            // no shutdown hook, no close: as the operating system ends a killed process
            Runtime.getRuntime().halt(0);
        }
    }

    @Test
    void acknowledgedWritesSurviveAKill(@TempDir Path dir) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classPath, WriteThenDie.class.getName(), dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the writer ended");
        assertTrue(Files.readString(dir.resolve("child.log")).contains("acknowledged"),
                Files.readString(dir.resolve("child.log")));

        MongoServer server = new MongoServer(new DurableH2Backend(dir.resolve("mongo.mv.db").toString()));
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort())) {
            List<Document> calls = client.getDatabase("voip").getCollection("calls").find().into(new java.util.ArrayList<>());
            assertEquals(20, calls.size());
            assertEquals("dialing", calls.stream().filter(c -> c.get("_id").equals("call-19")).findFirst().orElseThrow()
                    .getString("status"));
        } finally {
            server.shutdownNow();
        }
    }
}

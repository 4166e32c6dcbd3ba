package voipgateway.pacing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.apache.camel.test.AvailablePortFinder;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Live calls are stored in batches: dials and ends since the last write in one, and nothing lost when it fails. */
class LiveCallsTest {

    private final int port = AvailablePortFinder.getNextAvailable();
    private MongoServer server;
    private MongoClient client;
    private MongoCollection<Document> live;
    private LiveCalls liveCalls;

    @BeforeEach
    void start() {
        startServer();
        client = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + port))
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(500, TimeUnit.MILLISECONDS))
                .build());
        live = client.getDatabase("voip").getCollection("live");
        liveCalls = new LiveCalls(live);
    }

    private void startServer() {
        server = new MongoServer(H2Backend.inMemory());
        server.bind("127.0.0.1", port);
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    private static Document held(String account) {
        return new Document("call", new ObjectId()).append("account", account);
    }

    @Test
    void dialsAndEndsAreStoredByTheNextWriteAndAnEndedCallsDocumentGoes() {
        ObjectId first = new ObjectId();
        ObjectId second = new ObjectId();
        liveCalls.hold(first, held("account-1"));
        liveCalls.hold(second, held("account-1"));
        assertEquals(0, live.countDocuments(), "nothing written on the dial's path");

        assertEquals(2, liveCalls.write());
        assertEquals(2, live.countDocuments());

        liveCalls.end(first);
        assertEquals(1, liveCalls.write());
        assertEquals(0, live.countDocuments(new Document("_id", first)));
        assertEquals("account-1", live.find(new Document("_id", second)).first().getString("account"));
        assertEquals(0, liveCalls.write(), "nothing pending");
    }

    @Test
    void whatCouldNotBeStoredIsStoredByTheNextWriteTheNewestChangeOfACallWinning() {
        ObjectId redialled = new ObjectId();
        ObjectId other = new ObjectId();
        server.shutdownNow();
        liveCalls.hold(redialled, held("first-try"));
        liveCalls.hold(other, held("account-1"));

        assertThrows(RuntimeException.class, liveCalls::write);
        liveCalls.hold(redialled, held("retry"));
        startServer();

        // the route writes again every second: until the client has found the server back, each try fails the same way
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> liveCalls.write() == 2);
        assertEquals("retry", live.find(new Document("_id", redialled)).first().getString("account"));
        assertEquals("account-1", live.find(new Document("_id", other)).first().getString("account"));
    }
}

package voipgateway.compliance;

import java.time.Duration;
import java.time.Instant;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.HeldClock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Do-not-call lists answered from memory: read once, read again after a change through this instance at once and
 * through another within the cache age; the lists of all tenants together bounded; a list too long to keep is left
 * to a read per dial.
 */
class DoNotCallListsTest {

    private static final Duration AGE = Duration.ofSeconds(5);

    private MongoServer server;
    private MongoClient client;
    private MongoCollection<Document> dnc;
    private final HeldClock clock = new HeldClock(Instant.parse("2026-11-27T10:00:00Z"));

    @BeforeEach
    void start() {
        server = new MongoServer(H2Backend.inMemory());
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        dnc = client.getDatabase("voip").getCollection("dnc");
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    /** A number written as the API's routes write it. */
    private void list(String tenant, String callTo) {
        dnc.insertOne(new Document("_id", DoNotCall.id(tenant, callTo)).append("userId", tenant)
                .append("phone", callTo));
    }

    @Test
    void aListIsReadOnceAndAChangeThroughThisInstanceCountsAtOnce() {
        list("tenant-a", "09000000001");
        list("tenant-b", "09000000002");
        DoNotCallLists lists = new DoNotCallLists(client.getDatabase("voip"), clock, AGE, 1_000);

        assertTrue(lists.listed("tenant-a", "09000000001"));
        assertFalse(lists.listed("tenant-a", "09000000002"), "another tenant's number");
        // written without the API's count of the change: proof that the check does not read
        list("tenant-a", "09000000003");
        assertFalse(lists.listed("tenant-a", "09000000003"));

        lists.changed("tenant-a");
        assertTrue(lists.listed("tenant-a", "09000000003"));
    }

    @Test
    void anotherInstancesChangeIsSeenOnceTheListIsOlderThanTheCacheAge() {
        list("tenant-a", "09000000001");
        DoNotCallLists here = new DoNotCallLists(client.getDatabase("voip"), clock, AGE, 1_000);
        DoNotCallLists there = new DoNotCallLists(client.getDatabase("voip"), clock, AGE, 1_000);
        assertFalse(here.listed("tenant-a", "09000000004"));

        list("tenant-a", "09000000004");
        there.changed("tenant-a");
        clock.advance(AGE.minusMillis(1));
        assertFalse(here.listed("tenant-a", "09000000004"), "within the cache age the list is as read");
        clock.advance(Duration.ofMillis(1));
        assertTrue(here.listed("tenant-a", "09000000004"));

        dnc.deleteOne(new Document("_id", DoNotCall.id("tenant-a", "09000000004")));
        there.changed("tenant-a");
        clock.advance(AGE);
        assertFalse(here.listed("tenant-a", "09000000004"), "a removal too");
        assertTrue(here.listed("tenant-a", "09000000001"));
    }

    @Test
    void theListsOfAllTenantsTogetherAreKeptUpToTheLimit() {
        for (int i = 1; i <= 3; i++) {
            list("tenant-a", "0900000000" + i);
            list("tenant-b", "0900000000" + i);
        }
        DoNotCallLists lists = new DoNotCallLists(client.getDatabase("voip"), clock, AGE, 4);
        assertTrue(lists.listed("tenant-a", "09000000001"));
        assertTrue(lists.listed("tenant-b", "09000000001"));

        // written without the API's count of the change: only a list dropped for room is read again and has them
        list("tenant-a", "09000000009");
        list("tenant-b", "09000000009");
        boolean aReadAgain = lists.listed("tenant-a", "09000000009");
        boolean bReadAgain = lists.listed("tenant-b", "09000000009");
        assertTrue(aReadAgain || bReadAgain, "3 + 3 numbers are not kept under a limit of 4");
        assertTrue(lists.listed("tenant-a", "09000000003"));
        assertTrue(lists.listed("tenant-b", "09000000003"));
    }

    @Test
    void aListLongerThanTheLimitIsLeftToAReadPerDial() {
        for (int i = 1; i <= 3; i++) {
            list("tenant-a", "0900000000" + i);
        }
        list("tenant-b", "09000000001");
        DoNotCallLists lists = new DoNotCallLists(client.getDatabase("voip"), clock, AGE, 2);

        assertNull(lists.listed("tenant-a", "09000000001"));
        assertTrue(lists.listed("tenant-b", "09000000001"));
        assertEquals(4, dnc.countDocuments(), "nothing written by checking");
    }
}

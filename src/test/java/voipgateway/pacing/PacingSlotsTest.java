package voipgateway.pacing;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import voipgateway.calls.ExpiredClaims;
import voipgateway.providers.ProviderAccount;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A call's slot is given back at its end, also when the call never got to say which slot it holds or holds two;
 * and the sweeper's look frees a slot whose call no longer holds it.
 */
class PacingSlotsTest {

    private MongoServer server;
    private MongoClient client;
    private MongoDatabase db;
    private LiveCalls liveCalls;
    private Pacing pacing;

    @BeforeEach
    void start() {
        server = new MongoServer(H2Backend.inMemory());
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        db = client.getDatabase("voip");
        liveCalls = new LiveCalls(db.getCollection("live"));
        pacing = new Pacing(db, liveCalls, new ExpiredClaims(Duration.ofMinutes(1), Duration.ZERO, Clock.systemUTC(),
                db.getCollection("calls")),
                Clock.systemUTC(), Duration.ofHours(1), Duration.ofMillis(250));
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    /** Slots held as stored, once the live calls' pending changes are written. */
    private long held() {
        liveCalls.write();
        return db.getCollection("live").countDocuments()
                + db.getCollection("slots").countDocuments(new Document("call", new Document("$ne", null)));
    }

    /** 0: a slot document of the call's own ({@code live}); 3: one of the account's three numbered slots. */
    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void theEndOfACallWhoseOutcomeWasNeverStoredFreesItsSlot(int maxConcurrentCalls) throws Exception {
        ProviderAccount account = account(maxConcurrentCalls);
        ObjectId ended = new ObjectId();
        ObjectId other = new ObjectId();
        for (ObjectId call : List.of(ended, other)) {
            Exchange exchange = new DefaultExchange(new DefaultCamelContext());
            pacing.acquire(account, call, 0L, exchange);
        }
        assertEquals(2, held());

        // the call as its status callback finds it: the dial's outcome (which names the slot) was never written
        pacing.releaseCall(new Document("_id", ended).append("status", "completed"));

        assertEquals(1, held(), "the ended call's slot is free, the other call keeps its own");
        pacing.releaseCall(new Document("_id", other).append("status", "completed"));
        assertEquals(0, held());
    }

    /** A first try's slot that MongoDB could not take back, and the slot the retry of the same call took. */
    @Test
    void theEndOfACallFreesEverySlotItHolds() throws Exception {
        ProviderAccount account = account(3);
        ObjectId call = new ObjectId();
        pacing.acquire(account, call, 0L, new DefaultExchange(new DefaultCamelContext()));
        Exchange retry = new DefaultExchange(new DefaultCamelContext());
        pacing.acquire(account, call, 0L, retry);
        assertEquals(2, held());

        pacing.releaseCall(new Document("_id", call).append("status", "completed").append("slot",
                retry.getProperty("slot")));

        assertEquals(0, held());
    }

    /** The sweeper's look: slots of calls that ended, failed, went back to pending or are gone are freed. */
    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void aSlotWhoseCallNoLongerHoldsItIsFreedByTheSweepersLook(int maxConcurrentCalls) throws Exception {
        ProviderAccount account = account(maxConcurrentCalls);
        Map<String, ObjectId> calls = new java.util.LinkedHashMap<>();
        for (String status : List.of("initiated", "unknown", "dialing", "completed", "pending", "failed", "gone")) {
            ObjectId call = new ObjectId();
            calls.put(status, call);
            if (!"gone".equals(status)) {
                db.getCollection("calls").insertOne(new Document("_id", call).append("status", status));
            }
            if (maxConcurrentCalls == 0 || calls.size() <= 3) {
                pacing.acquire(account, call, 0L, new DefaultExchange(new DefaultCamelContext()));
            }
        }
        if (maxConcurrentCalls > 0) {
            // the three numbered slots are held by live calls: the ended ones take the slots they would hold
            db.getCollection("slots").insertMany(List.of(
                    slot("account-1#a", calls.get("completed")), slot("account-1#b", calls.get("pending")),
                    slot("account-1#c", calls.get("failed")), slot("account-1#d", calls.get("gone"))));
        }
        assertEquals(7, held());

        List<String> freed = new java.util.ArrayList<>();
        for (Document slot : pacing.nextHeld()) {
            String status = pacing.freeIfEnded(slot);
            if (status != null) {
                freed.add(status);
            }
        }

        assertEquals(List.of("completed", "failed", "missing", "pending"), freed.stream().sorted().toList());
        assertEquals(3, held(), "the live calls keep theirs");
    }

    /** A batch listed before a call's own release: the look does not report the slot as one it freed. */
    @Test
    void aSlotTheCallGaveBackAfterTheLookListedItIsNotReportedFreed() throws Exception {
        ObjectId call = new ObjectId();
        db.getCollection("calls").insertOne(new Document("_id", call).append("status", "completed"));
        pacing.acquire(account(0), call, 0L, new DefaultExchange(new DefaultCamelContext()));
        liveCalls.write();
        List<Document> listed = pacing.nextHeld();

        pacing.releaseCall(new Document("_id", call).append("slot", Pacing.LIVE));
        liveCalls.write();

        assertEquals(List.of(), listed.stream().map(pacing::freeIfEnded).filter(java.util.Objects::nonNull).toList());
    }

    /** A call that ended just now gives its slot back itself: the sweeper's look leaves it to that. */
    @Test
    void aCallThatEndedJustNowKeepsItsSlotForItsOwnRelease() throws Exception {
        ObjectId call = new ObjectId();
        db.getCollection("calls").insertOne(new Document("_id", call).append("status", "completed")
                .append("updatedAt", new java.util.Date()));
        pacing.acquire(account(3), call, 0L, new DefaultExchange(new DefaultCamelContext()));

        assertEquals(List.of(), pacing.nextHeld().stream().map(pacing::freeIfEnded)
                .filter(java.util.Objects::nonNull).toList());
        assertEquals(1, held());
    }

    private static Document slot(String id, ObjectId call) {
        return new Document("_id", id).append("call", call).append("account", "account-1")
                .append("until", new java.util.Date(System.currentTimeMillis() + 3_600_000));
    }

    private static ProviderAccount account(int maxConcurrentCalls) {
        return new ProviderAccount("account-1", 1, "SansPBX", "sanspbx", Map.of(), List.of(),
                new ProviderAccount.Limits(0, maxConcurrentCalls));
    }
}

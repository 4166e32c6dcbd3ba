package voipgateway.campaigns;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.HeldClock;
import voipgateway.compliance.CallingRules;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A due retry is taken lead first, then its place in flight, then its entry: a dialer stopped between any two of
 * these leaves the entry, and the next look finishes the take, counting the attempt once and claiming the lead
 * once (on a MongoDB over a socket).
 */
class CampaignRetriesTest {

    private static final CallingRules ANY_HOUR = new CallingRules(ZoneOffset.UTC, Map.of(), CallingRules.Retries.NONE,
            false);
    private final HeldClock clock = new HeldClock(Instant.parse("2026-12-06T10:00:00Z"));
    private MongoServer server;
    private MongoClient client;
    private MongoDatabase db;
    private CampaignDialer dialer;

    @BeforeEach
    void start() {
        server = new MongoServer(H2Backend.inMemory());
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        db = client.getDatabase("voip");
        dialer = new CampaignDialer(db, clock, Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMillis(250));
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    @Test
    void aTakeStoppedHalfWayIsFinishedByTheNextLookOnce() {
        Date past = Date.from(clock.instant().minusSeconds(5));
        running(List.of(3), 2, 4);
        // lead 1 waits for its retry; lead 2's retry was claimed by a dialer that stopped before counting it; lead 3's
        // was claimed and counted by one that stopped before removing its entry
        CampaignLeads.of(db, "c1").insertMany(List.of(
                new Document("_id", 1).append("leadId", "L1").append("toPhone", "9000000001")
                        .append("state", CampaignDialer.WAITING).append("attempts", 1).append("version", 2)
                        .append("dueAt", past),
                new Document("_id", 2).append("leadId", "L2").append("toPhone", "9000000002")
                        .append("state", "dialing").append("attempts", 2).append("version", 3)
                        .append("dialingSince", Date.from(clock.instant())),
                new Document("_id", 3).append("leadId", "L3").append("toPhone", "9000000003")
                        .append("state", "dialing").append("attempts", 2).append("version", 3)
                        .append("dialingSince", Date.from(clock.instant()))));
        db.getCollection(CampaignDialer.RETRIES).insertMany(List.of(
                new Document("_id", "c1:1").append("campaignId", "c1").append("lead", 1).append("dueAt", past),
                new Document("_id", "c1:2").append("campaignId", "c1").append("lead", 2).append("dueAt", past),
                new Document("_id", "c1:3").append("campaignId", "c1").append("lead", 3).append("dueAt", past)));

        List<Map<String, Object>> dials = dialer.take(campaign(), ANY_HOUR, null);

        assertEquals(List.of(1), dials.stream().map(dial -> dial.get("lead")).toList(), "leads 2, 3 not claimed again");
        assertEquals(2, dials.get(0).get("attempt"));
        Document campaign = campaign();
        assertEquals(List.of(1, 2, 3), campaign.getList("inFlight", Integer.class).stream().sorted().toList());
        assertEquals(0, campaign.getInteger("waiting"));
        assertEquals(6, campaign.getInteger("attempts"), "each attempt counted once");
        assertEquals(0, db.getCollection(CampaignDialer.RETRIES).countDocuments());
        assertEquals(List.of(), dialer.take(campaign, ANY_HOUR, null), "nothing more to take");
        assertEquals(6, campaign().getInteger("attempts"));

        // lead 2 was left dialing with no call stored: dialled again under its attempt (the ledger answers if it was)
        clock.advance(Duration.ofSeconds(61));
        List<Map<String, Object>> again = dialer.take(campaign(), ANY_HOUR, null);
        assertEquals(List.of(1, 2, 3), again.stream().map(dial -> dial.get("lead")).sorted().toList());
        assertEquals(2, again.stream().filter(dial -> dial.get("lead").equals(2)).findFirst().orElseThrow()
                .get("attempt"));
        assertEquals(6, campaign().getInteger("attempts"));
    }

    /**
     * A lead's end (done, or waiting for a retry) written, its campaign not told (the instance stopped between): once
     * that is older than a lead may be left dialing, a look tells the campaign, once; a fresh one is left to its
     * writer.
     */
    @Test
    void aLeadThatLeftFlightUntoldIsToldByALaterLookOnce() {
        Date past = Date.from(clock.instant().minusSeconds(120));
        running(List.of(1, 2, 3), 0, 3);
        CampaignLeads.of(db, "c1").insertMany(List.of(
                new Document("_id", 1).append("leadId", "L1").append("toPhone", "9000000001")
                        .append("state", CampaignDialer.DONE).append("outcome", "completed").append("attempts", 1)
                        .append("version", 3).append(CampaignDialer.MOVED_AT, past),
                new Document("_id", 2).append("leadId", "L2").append("toPhone", "9000000002")
                        .append("state", CampaignDialer.WAITING).append("attempts", 1).append("version", 3)
                        .append("dueAt", Date.from(clock.instant().plusSeconds(600))).append("attemptCounted", true)
                        .append(CampaignDialer.MOVED_AT, past),
                new Document("_id", 3).append("leadId", "L3").append("toPhone", "9000000003")
                        .append("state", CampaignDialer.DONE).append("outcome", "busy").append("attempts", 1)
                        .append("version", 3).append(CampaignDialer.MOVED_AT, Date.from(clock.instant()))));

        assertEquals(List.of(), dialer.take(campaign(), ANY_HOUR, null), "nothing to dial");
        Document campaign = campaign();
        assertEquals(List.of(3), campaign.getList("inFlight", Integer.class), "the fresh one left to its writer");
        assertEquals(1, campaign.get("outcomes", Document.class).getInteger("completed"));
        assertEquals(1, campaign.getInteger("waiting"));
        assertEquals(3, campaign.getInteger("attempts"));
        assertEquals(1, db.getCollection(CampaignDialer.RETRIES).countDocuments(new Document("_id", "c1:2")));

        dialer.take(campaign, ANY_HOUR, null);
        assertEquals(1, campaign().get("outcomes", Document.class).getInteger("completed"), "told once");
        assertEquals(1, campaign().getInteger("waiting"));
    }

    /** Campaign c1, running, its three leads all taken: these in flight, these counts. */
    private void running(List<Integer> inFlight, int waiting, int attempts) {
        db.getCollection(Campaigns.COLLECTION).insertOne(new Document("_id", "c1").append("userId", "t1")
                .append("status", Campaigns.RUNNING).append("purpose", "promotional").append("agentId", "a1")
                .append("maxConcurrentCalls", 5).append("leadCount", 3).append("nextLead", 4)
                .append("inFlight", inFlight).append("waiting", waiting).append("attempts", attempts));
    }

    private Document campaign() {
        return db.getCollection(Campaigns.COLLECTION).find(new Document("_id", "c1")).first();
    }
}

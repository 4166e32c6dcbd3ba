package voipgateway.flows;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.mongodb.client.model.ReplaceOptions;
import org.apache.camel.Exchange;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import voipgateway.callbacks.StatusEvent;
import voipgateway.callbacks.StatusEventStore;
import voipgateway.calls.CallVersions;
import voipgateway.providers.ProviderAccount;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweeper ({@code sweeper.yaml}) behind the dial flow, for an account that allows one live call: a call whose
 * end is never reported becomes unknown (no_final_callback) after the longest call (here 3 s) and its slot is
 * freed; a slot still held by a call that ended is freed at the next look.
 */
class SweeperFlowTest extends FlowTestSupport {

    @Override
    List<String> routeFiles() {
        return List.of("place-outbound-call.yaml", "sweeper.yaml");
    }

    @Override
    Map<String, String> settings() {
        return Map.of("voip.sweeper-period-ms", "300", "voip.live-calls-write-ms", "1000", "voip.claim-check-ms",
                "1000", "voip.max-call-seconds", "2", "voip.call-grace-seconds", "1");
    }

    @Override
    ProviderAccount.Limits limits() {
        return new ProviderAccount.Limits(0, 1);
    }

    @Test
    void aCallWithoutAFinalStatusIsSweptAndItsSlotFreed() throws Exception {
        lineAndRulesGiven();
        context.start();

        Exchange placed = call("key-1");
        assertEquals(201, status(placed), body(placed));
        ObjectId id = new ObjectId(json(placed).get("id").asText());
        assertEquals(429, status(call("key-2")), "the account's one slot is held");

        await().atMost(Duration.ofSeconds(30)).until(() -> "unknown".equals(stored(id).getString("status")));
        assertEquals("no_final_callback", stored(id).getString("reason"));
        assertEquals(201, status(call("key-3")), "the slot is free again");
        assertEquals(1.0, meters.get("voip.calls.ruled").tag("outcome", "swept").tag("reason", "no_final_callback")
                .counter().count());

        // the end reported late still applies (as the status callback route writes it)
        StatusEvent late = new StatusEvent("Test", id.toHexString(), "pbx-1", "completed", null, new Document(),
                new Document(), id.toHexString(), null);
        assertTrue(new CallVersions(calls).write(id, null, new StatusEventStore(null).change(late)).applied());
        assertEquals("completed", stored(id).getString("status"));
    }

    /** The end of a call applied while the slot's release was lost (MongoDB went away between the two writes). */
    @Test
    void aSlotStillHeldByACallThatEndedIsFreedAtTheSweepersNextLook() throws Exception {
        lineAndRulesGiven();
        context.start();
        Exchange placed = call("key-1");
        ObjectId id = new ObjectId(json(placed).get("id").asText());
        Document slot = db.getCollection("slots").find(new Document("call", id)).first();
        calls.updateOne(new Document("_id", id), new Document("$set", new Document("status", "completed")
                .append("statusRank", 4)).append("$inc", new Document("version", 1)));

        // the release lost: the slot held by the ended call, not overdue for an hour
        slot.put("until", new Date(System.currentTimeMillis() + 3_600_000));
        db.getCollection("slots").replaceOne(new Document("_id", slot.get("_id")), slot,
                new ReplaceOptions().upsert(true));
        assertEquals(429, status(call("key-2")), "the account's one slot is held");

        await().atMost(Duration.ofSeconds(30)).until(() -> status(call("key-" + System.nanoTime())) == 201);
        assertTrue(capturedLogs().contains("[sweeper] call " + id.toHexString() + " (completed) still held pacing slot"),
                capturedLogs());
        assertEquals("completed", stored(id).getString("status"), "the ended call is left as it is");
    }

    private Document stored(ObjectId id) {
        return calls.find(new Document("_id", id)).first();
    }
}

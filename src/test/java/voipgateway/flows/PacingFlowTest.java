package voipgateway.flows;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import voipgateway.callbacks.StatusEvent;
import voipgateway.callbacks.StatusEventStore;
import voipgateway.calls.CallVersions;
import voipgateway.pacing.Pacing;
import voipgateway.providers.ProviderAccount;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pacing in the dial flow ({@code place-outbound-call.yaml}, and {@code sweeper.yaml}, which stores the live calls):
 * an account at its concurrency limit answers 429 with Retry-After until a call ends; without a limit a call still
 * holds a slot of its own until it ends.
 */
class PacingFlowTest extends FlowTestSupport {

    @Override
    List<String> routeFiles() {
        return List.of("place-outbound-call.yaml", "sweeper.yaml");
    }

    @Override
    Map<String, String> settings() {
        return Map.of("voip.sweeper-period-ms", "600000", "voip.live-calls-write-ms", "300", "voip.claim-check-ms",
                "600000");
    }

    @Override
    ProviderAccount.Limits limits() {
        return new ProviderAccount.Limits(0, 2);
    }

    @Test
    void atItsConcurrencyLimitAnAccountAnswers429UntilACallEnds() throws Exception {
        lineAndRulesGiven();
        context.start();
        ObjectId first = new ObjectId(json(call("c-1")).get("id").asText());
        assertEquals(201, status(call("c-2")));

        Exchange busy = call("c-3");
        assertEquals(429, status(busy), body(busy));
        assertEquals(1, busy.getMessage().getHeader("Retry-After", Integer.class));
        assertEquals("provider_account_busy", json(busy).get("error").asText());
        assertEquals(429, status(call("c-3")), "still busy: the same key is asked again");
        // without a key nobody can ask again: the call is stored failed, a refusal at the pacing limit (its webhook
        // event is call.refused, reason pacing)
        Exchange keyless = call(null);
        assertEquals(429, status(keyless), body(keyless));
        Document refused = db.getCollection("calls").find(new Document("_id",
                new ObjectId(json(keyless).get("id").asText()))).first();
        assertEquals("failed", refused.getString("status"));
        assertEquals("pacing", refused.getString("reason"));
        assertEquals("call.refused", voipgateway.calls.CallEvents.type(refused.getString("status"),
                refused.getString("reason")));
        assertEquals(2, getMockEndpoint("mock:provider").getReceivedCounter());

        // the first call's end is reported: its slot is free, and the waiting request goes through
        ended(first);
        Exchange placed = call("c-3");
        assertEquals(201, status(placed), body(placed));
        assertEquals(3, getMockEndpoint("mock:provider").getReceivedCounter());
        assertEquals(2, db.getCollection("slots").countDocuments(new Document("call", new Document("$ne", null))));
    }

    @Test
    void withoutALimitACallStillHoldsItsOwnSlotUntilItEnds() throws Exception {
        ProviderAccount unlimited = new ProviderAccount(account.id(), account.version(), account.provider(),
                account.adapter(), account.fields(), account.secretFields(), ProviderAccount.Limits.NONE);
        lineAndRulesGiven(unlimited);
        context.start();
        ObjectId id = new ObjectId(json(call("free-1")).get("id").asText());

        // stored off the request path, by the next write of the live calls
        await().atMost(Duration.ofSeconds(30)).until(() -> db.getCollection("live").countDocuments(
                new Document("_id", id)) == 1);
        ended(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> db.getCollection("live").countDocuments(
                new Document("_id", id)) == 0);
    }

    /** The call's end reported, as the status callback route writes it and frees its slot. */
    private void ended(ObjectId id) {
        StatusEvent end = new StatusEvent("Test", id.toHexString(), "pbx-1", "completed", null, new Document(),
                new Document(), id.toHexString(), null);
        CallVersions.Written written = new CallVersions(calls).write(id, null, new StatusEventStore(null).change(end));
        assertTrue(written.applied());
        context.getRegistry().lookupByNameAndType("pacing", Pacing.class).releaseCall(written.call());
    }
}

package voipgateway;

import java.time.Duration;
import java.util.Map;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call whose end is never reported: after the longest call (here 2 s + 1 s) the sweeper makes it unknown with
 * reason no_final_callback, frees its slot (an account at its limit can call again), and counts it; a report that
 * comes after still applies.
 */
class SweeperTest extends GatewayTestSupport {

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.max-call-seconds", "2", "voip.call-grace-seconds", "1", "voip.sweeper-period-ms", "300");
    }

    @Test
    void aCallWithoutAFinalStatusIsSweptAndItsSlotFreed() throws Exception {
        accountWithOneSlot();

        Response placed = call("09000000001");
        assertEquals(201, placed.status(), placed.body());
        String id = placed.json().get("id").asText();
        assertEquals(429, call("09000000001").status(), "the account's one slot is held");

        await().atMost(Duration.ofSeconds(30)).until(() -> "unknown".equals(storedCall(id).getString("status")));
        assertEquals("no_final_callback", storedCall(id).getString("reason"));
        assertEquals(201, call("09000000001").status(), "the slot is free again");
        assertTrue(metrics().body()
                .contains("voip_calls_ruled_total{outcome=\"swept\",reason=\"no_final_callback\"} 1.0"));

        // the end reported late still counts
        assertEquals(200, sansPbxCallback(id, "ANSWER").status());
        assertEquals("completed", storedCall(id).getString("status"));
        pbx.verify(2, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    /** The end of a call applied while the slot's release was lost (MongoDB went away between the two writes). */
    @Test
    void aSlotStillHeldByACallThatEndedIsFreedAtTheSweepersNextLook() throws Exception {
        accountWithOneSlot();
        String id = call("09000000001").json().get("id").asText();
        Document slot = db().getCollection("slots").find(new Document("call", new ObjectId(id))).first();
        assertEquals(200, sansPbxCallback(id, "ANSWER").status());
        assertEquals("completed", storedCall(id).getString("status"));

        // the release lost: the slot held again by the ended call, not overdue for an hour
        slot.put("until", new java.util.Date(System.currentTimeMillis() + 3_600_000));
        db().getCollection("slots").replaceOne(new Document("_id", slot.get("_id")), slot,
                new com.mongodb.client.model.ReplaceOptions().upsert(true));
        assertEquals(429, call("09000000002").status(), "the account's one slot is held");

        await().atMost(Duration.ofSeconds(30)).until(() -> call("09000000003").status() == 201);
        assertTrue(capturedLogs().contains("[sweeper] call " + id + " (completed) still held pacing slot"));
        assertEquals("completed", storedCall(id).getString("status"), "the ended call is left as it is");
    }

    /** A SansPBX account (WireMock) that allows one live call, its DID given to the agent. */
    private void accountWithOneSlot() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"8\"}");
        Map<String, Object> body = providerBody();
        body.put("maxConcurrentCalls", 1);
        Response added = send("POST", "/voip/add-provider", body);
        assertEquals(201, added.status(), added.body());
        send("PUT", "/voip/assign-number/" + added.json().at("/provider/dids/0/id").asText(), Map.of("agentId", AGENT));
    }
}

package voipgateway;

import java.time.Duration;
import java.util.Map;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a client sees when an outbound call cannot be placed, and what is stored then. */
class CallErrorsTest extends GatewayTestSupport {

    @Test
    void badInputIs400NamingTheFieldAndNothingIsDialled() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        providerWithAgent();

        for (String toPhone : new String[] {"12345", "+1 415 555 0100", "0000000000", "phone", "+91 90000 0000x"}) {
            Response response = call(toPhone);
            assertEquals(400, response.status(), toPhone + " -> " + response.body());
            assertEquals("toPhone", response.json().get("field").asText());
            assertEquals("bad_request", response.json().get("error").asText());
            assertTrue(response.json().get("message").asText().contains("toPhone"));
        }
        Response noLead = send("POST", "/calls/outbound", Map.of("agentId", AGENT, "toPhone", "09000000001"));
        assertEquals(400, noLead.status());
        assertEquals("leadId", noLead.json().get("field").asText());
        Response numberAsAgent = send("POST", "/calls/outbound", "{\"agentId\": 5, \"leadId\": \"l\", \"toPhone\": \"09000000001\"}");
        assertEquals(400, numberAsAgent.status());
        assertEquals("agentId", numberAsAgent.json().get("field").asText());
        assertEquals(400, send("POST", "/calls/outbound", "[]").status());
        assertEquals(415, sendRaw("POST", "/calls/outbound", "text/plain", "{}").status());

        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(0, db().getCollection("calls").countDocuments());
    }

    @Test
    void unknownAgentAndAgentWithoutNumberAre404() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        String numberId = providerWithAgent();

        Response unknown = send("POST", "/calls/outbound",
                Map.of("agentId", "nobody", "leadId", LEAD, "toPhone", "09000000001"));
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("agentId", unknown.json().get("field").asText());

        send("DELETE", "/voip/assign-number/" + numberId, null);
        Response noNumber = call("09000000001");
        assertEquals(404, noNumber.status(), noNumber.body());
        assertEquals("No VOIP provider assigned to this agent", noNumber.json().get("message").asText());

        assertEquals(404, send("GET", "/calls/5f0000000000000000000000", null).status());
        assertEquals(404, send("GET", "/calls/not-an-id", null).status());
        assertEquals(0, db().getCollection("calls").countDocuments());
    }

    @Test
    void anAgentsLineChangedHereIsUsedByItsNextCallAndOneChangedElsewhereWithinTheCacheBound() throws Exception {
        String numberId = lineThatDials("jwt-1", "1");
        assertEquals(201, call("09000000001").status(), "the agent's line is now cached");

        // released through this instance: the next call knows at once
        assertEquals(200, send("DELETE", "/voip/assign-number/" + numberId, null).status());
        assertEquals(404, call("09000000001").status());
        // given to another agent: its call uses the DID, the first agent still has none
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", "agent-2")).status());
        assertEquals(201, send("POST", "/calls/outbound", Map.of("agentId", "agent-2", "leadId", LEAD,
                "toPhone", "09000000001")).status());
        assertEquals(404, call("09000000001").status());

        // released by another instance (straight in MongoDB): seen here once the cached line ages out
        // (voip.cache-seconds, 5 s by default)
        db().getCollection("voipnumbers").updateOne(new Document("_id", new ObjectId(numberId)),
                new Document("$unset", new Document("assignedAgentId", "")));
        await("a line released elsewhere").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> send("POST", "/calls/outbound", Map.of("agentId", "agent-2", "leadId", LEAD,
                        "toPhone", "09000000001")).status() == 404);
    }

    @Test
    void aRefusedDialIs502AndTheCallIsStoredAsFailedWithTheReason() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"failed\",\"message\":\"Insufficient balance\"}");
        providerWithAgent();

        Response response = call("09000000001");

        assertEquals(502, response.status(), response.body());
        assertEquals("provider_refused", response.json().get("error").asText());
        assertEquals("SansPBX: Dial call failed: the answer's status is not success (provider answered HTTP 200)",
                response.json().get("message").asText(), "the provider's words are kept for diagnosis, not answered");
        Document stored = db().getCollection("calls").find().first();
        assertEquals("failed", stored.getString("status"));
        assertTrue(stored.getString("failureReason").contains("Insufficient balance"));
        assertEquals(AGENT, stored.getString("agentId"));
    }

    @Test
    void aRefusedTokenDuringACallIs502() throws Exception {
        pbxIssuesToken("jwt-1", "2000-01-01 00:00:00");
        providerWithAgent();
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withStatus(403)
                .withBody("{\"status\":\"error\",\"message\":\"Account suspended\"}")));

        Response response = call("09000000001");

        assertEquals(502, response.status(), response.body());
        assertEquals("provider_auth_failed", response.json().get("error").asText());
        assertTrue(response.json().get("message").asText().contains("Token generation error (provider answered HTTP 403)"));
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals("failed", db().getCollection("calls").find().first().getString("status"));
    }

    @Test
    void anUnreachablePbxIs503AndTheCallIsStoredAsFailedWhenNobodyCanRetryIt() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        providerWithAgent();
        pbx.stop();
        try {
            int before = capturedLogs().length();
            Response response = call("09000000001");

            assertEquals(503, response.status(), response.body());
            assertEquals("provider_unavailable", response.json().get("error").asText());
            // the tenant's PBX failed, not this service: a WARN naming the account, no ERROR
            String logged = capturedLogs().substring(before);
            String account = db().getCollection("voipproviders").find().first().getObjectId("_id").toHexString();
            assertTrue(logged.lines().anyMatch(l -> l.startsWith("WARN") && l.contains("[provider]")
                    && l.contains("account " + account)), logged);
            assertTrue(logged.lines().noneMatch(l -> l.startsWith("ERROR")), logged);
            Document stored = db().getCollection("calls").find().first();
            assertEquals("failed", stored.getString("status"));
            assertFalse(stored.getString("failureReason").isBlank());
            String callId = stored.getObjectId("_id").toHexString();
            assertEquals("failed", send("GET", "/calls/" + callId, null).json().get("status").asText());
            assertEquals(1, db().getCollection("calls").countDocuments(new Document("_id", new ObjectId(callId))));
        } finally {
            pbx.start();
        }
    }
}

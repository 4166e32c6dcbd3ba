package voipgateway.flows;

import java.net.ConnectException;
import java.util.List;

import org.apache.camel.Exchange;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import voipgateway.api.ProviderRefusedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a client sees when an outbound call cannot be placed (bad input, no line, the provider refusing or out of
 * reach), what is stored then and what is logged: the REST flow ({@code place-outbound-call.yaml}) with the
 * provider a route of the test's.
 */
class DialFailuresFlowTest extends FlowTestSupport {

    @Override
    List<String> routeFiles() {
        return List.of("place-outbound-call.yaml");
    }

    @Test
    void badInputIs400NamingTheFieldAndNothingIsStoredOrDialled() throws Exception {
        lineAndRulesGiven();
        context.start();

        for (String toPhone : new String[] {"12345", "+1 415 555 0100", "0000000000", "phone", "+91 90000 0000x"}) {
            Exchange answer = call(null, "{\"agentId\":\"agent-1\",\"leadId\":\"l\",\"toPhone\":\"" + toPhone + "\"}");
            assertEquals(400, status(answer), toPhone + " -> " + body(answer));
            assertEquals("toPhone", json(answer).path("field").asText(), body(answer));
            assertEquals("bad_request", json(answer).get("error").asText());
            assertTrue(json(answer).get("message").asText().contains("toPhone"), body(answer));
        }
        assertField(call(null, "{\"agentId\":\"agent-1\",\"toPhone\":\"09000000001\"}"), "leadId");
        assertField(call(null, "{\"agentId\": 5, \"leadId\": \"l\", \"toPhone\": \"09000000001\"}"), "agentId");
        assertEquals(400, status(call(null, "[]")));
        assertEquals(400, status(call(null, "{\"agentId\":")));

        assertEquals(0, getMockEndpoint("mock:provider").getReceivedCounter());
        assertEquals(0, calls.countDocuments());
    }

    @Test
    void anAgentWithoutALineIs404AndNothingIsStored() throws Exception {
        outcomesNotPublished();
        context.start();

        Exchange answer = call(null, "{\"agentId\":\"507f1f77bcf86cd799439012\",\"leadId\":\"l\",\"toPhone\":\"09000000001\"}");

        assertEquals(404, status(answer), body(answer));
        assertEquals("agentId", json(answer).get("field").asText());
        assertEquals(0, calls.countDocuments());
    }

    @Test
    void aRefusedDialIs502AndTheCallIsStoredAsFailedWithTheProvidersWordsKeptForDiagnosis() throws Exception {
        lineAndRulesGiven();
        context.start();
        provider = exchange -> {
            throw new ProviderRefusedException("Test", "Dial call failed", 200, "Insufficient balance");
        };

        Exchange answer = call(null);

        assertEquals(502, status(answer), body(answer));
        assertEquals("provider_refused", json(answer).get("error").asText());
        assertEquals("Test: Dial call failed (provider answered HTTP 200)", json(answer).get("message").asText());
        assertFalse(body(answer).contains("Insufficient balance"), "the provider's words are kept, not answered");
        Document stored = calls.find().first();
        assertEquals("failed", stored.getString("status"));
        assertTrue(stored.getString("failureReason").contains("Insufficient balance"), stored.toJson());
        assertEquals("agent-1", stored.getString("agentId"));
        assertEquals(1, getMockEndpoint("mock:provider").getReceivedCounter());
    }

    @Test
    void anUnreachableProviderIs503AWarningNamingTheAccountAndAFailedCallWhenNobodyCanRetryIt() throws Exception {
        lineAndRulesGiven();
        context.start();
        provider = exchange -> {
            exchange.setProperty("dialSent", false);
            throw new ConnectException("Connection refused");
        };

        Exchange answer = call(null);

        assertEquals(503, status(answer), body(answer));
        assertEquals("provider_unavailable", json(answer).get("error").asText());
        // the tenant's PBX failed, not this service: a WARN naming the account, no ERROR
        String logged = capturedLogs();
        assertTrue(logged.lines().anyMatch(l -> l.startsWith("WARN") && l.contains("[provider]")
                && l.contains("account " + account.id())), logged);
        assertTrue(logged.lines().noneMatch(l -> l.startsWith("ERROR")), logged);
        // without an Idempotency-Key nobody can ask for this call again: it is failed, not left pending
        Document stored = calls.find().first();
        assertEquals("failed", stored.getString("status"));
        assertFalse(stored.getString("failureReason").isBlank());
        assertEquals(1, calls.countDocuments());
    }

    private static void assertField(Exchange answer, String field) throws Exception {
        assertEquals(400, status(answer), body(answer));
        assertEquals(field, json(answer).get("field").asText(), body(answer));
    }
}

package voipgateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The circuit breaker around dialcall: timeouts and 5xx count as failures, and an open circuit sends nothing.
 * A dial that was sent but not answered is "unknown" (202), never redialled; an open circuit is a 503.
 */
class ProviderOutageTest extends GatewayTestSupport {

    @Override
    protected Map<String, String> properties() {
        return Map.of("camel.resilience4j.timeout-duration", "1000",
                "camel.resilience4j.sliding-window-size", "3",
                "camel.resilience4j.minimum-number-of-calls", "3",
                "camel.resilience4j.wait-duration-in-open-state", "120");
    }

    @Test
    void timeoutsAndServerErrorsOpenTheCircuitAndAnOpenCircuitIs503WithoutADial() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        providerWithAgent();

        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(3000)
                .withBody("{\"status\":\"success\",\"call_id\":\"1\"}")));
        long started = System.nanoTime();
        Response slow = call("09000000001");
        assertEquals(202, slow.status(), slow.body());
        assertEquals("unknown", slow.json().get("status").asText());
        assertTrue(slow.json().get("message").asText().contains("in time"), slow.body());
        assertTrue(System.nanoTime() - started < 2_500_000_000L, "the breaker's timeout cut the wait short");

        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withStatus(500)));
        assertEquals("unknown", call("09000000001").json().get("status").asText());
        assertEquals("unknown", call("09000000001").json().get("status").asText());

        pbx.resetRequests();
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        Response open = call("09000000001");
        assertEquals(503, open.status(), open.body());
        assertTrue(open.json().get("message").asText().contains("circuit is open"), open.body());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(3, send("GET", "/calls?status=unknown", null).json().get("items").size());
        assertEquals(1, db().getCollection("calls").countDocuments(new org.bson.Document("status", "failed")),
                "without an Idempotency-Key nobody can retry the refused dial: it is final");
    }
}

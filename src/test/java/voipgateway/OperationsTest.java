package voipgateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import voipgateway.queue.EmbeddedBroker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What operators and API clients read off the running service besides the API itself: GET /metrics (Prometheus, on
 * the management port), GET /openapi.json (made from the REST DSL), GET /health (200 only while every part is up,
 * naming what is down) and /health/live (only says it runs).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsTest extends GatewayTestSupport {

    @Override
    protected Map<String, String> properties() {
        return Map.of("public.base.url", "https://voip.example.com/gateway");
    }

    @Test
    @Order(1)
    void countsCallsCallbacksProviderRequestsAndShowsBreakersAndQueues() throws Exception {
        lineThatDials("jwt-1", "4711");
        String callId = call("09000000001").json().get("id").asText();
        Map<String, Object> report = Map.of("Linkedid", "4711", "disposition", "ANSWER", "duration", "10",
                "billsec", "8", "end_time", "2026-02-14 15:36:08", "custom_field", Map.of("record_id", callId));
        String callback = "/callbacks/sanspbx/status?call=" + callId + "&token=" + callbackToken(callId);
        assertEquals(200, send("POST", callback, report).status());
        assertEquals(200, send("POST", callback, report).status(), "the same report again");
        String account = db().getCollection("voipproviders").find().first().getObjectId("_id").toHexString();

        Response metrics = metrics();
        assertEquals(404, sendAs("", "GET", "/metrics", null, null).status(), "not on the API's port");

        assertEquals(200, metrics.status(), metrics.body());
        assertTrue(metrics.headers().get("content-type").get(0).startsWith("text/plain"));
        String text = metrics.body();
        assertMetric(text, "voip_calls_total{outcome=\"initiated\",provider=\"SansPBX\"} 1.0");
        assertMetric(text, "voip_callbacks_total{outcome=\"applied\",provider=\"SansPBX\"} 1.0");
        assertMetric(text, "voip_callbacks_total{outcome=\"duplicate\",provider=\"SansPBX\"} 1.0");
        assertMetric(text, "voip_provider_requests_seconds_count{provider=\"SansPBX\",request=\"sanspbx-dialcall\",result=\"ok\"} 1");
        assertMetric(text, "voip_provider_requests_seconds_bucket{provider=\"SansPBX\",request=\"sanspbx-dialcall\",result=\"ok\",le=\"10.0\"} 1");
        // the account's credential check (add-provider) asked for the token
        assertMetric(text, "voip_token_refreshes_total{provider=\"SansPBX\"} 1.0");
        assertMetric(text, "voip_provider_breaker_state{account=\"" + account + "\"} 0.0");
        assertMetric(text, "voip_queue_depth{queue=\"voip.outbound-calls\"} 0.0");
        assertMetric(text, "camel_exchanges_total{camelContext=\"voip-gateway\",eventType=\"route\",kind=\"CamelRoute\",routeId=\"place-outbound-call\"} 1.0");
        assertMetric(text, "camel_exchanges_total{camelContext=\"voip-gateway\",eventType=\"route\",kind=\"CamelRoute\",routeId=\"sanspbx-status-callback\"} 2.0");
        // the steps an operation calls are timed as part of it, not each on its own
        assertFalse(text.contains("routeId=\"dial-once\""), text);
        assertFalse(text.contains("routeId=\"dial-claimed-call\""), text);
    }

    private static void assertMetric(String text, String line) {
        assertTrue(text.contains(line), line + " in\n" + text.lines().filter(l -> l.startsWith("voip_") || l.contains("place-outbound-call")).toList());
    }

    @Test
    @Order(2)
    void describesEveryEndpointWhereClientsReachIt() throws Exception {
        Response answer = sendAs("", "GET", "/openapi.json", null, null);

        assertEquals(200, answer.status(), answer.body());
        assertTrue(answer.headers().get("content-type").get(0).startsWith("application/json"));
        JsonNode document = answer.json();
        assertTrue(document.get("openapi").asText().startsWith("3."));
        assertEquals("voip-gateway", document.at("/info/title").asText());
        assertEquals("https://voip.example.com/gateway", document.at("/servers/0/url").asText());
        for (String path : List.of("/voip/add-provider", "/voip/assign-number/{numberId}", "/voip/providers",
                "/voip/numbers", "/calls/outbound", "/calls", "/calls/{id}", "/admin/tenants")) {
            assertTrue(document.get("paths").has(path), path + " in " + document.get("paths").fieldNames());
        }
        JsonNode placeCall = document.at("/paths/~1calls~1outbound/post");
        assertEquals("Idempotency-Key", placeCall.at("/parameters/0/name").asText());
        assertEquals("header", placeCall.at("/parameters/0/in").asText());
        assertTrue(placeCall.at("/responses").has("422"), placeCall.toString());
        assertTrue(placeCall.at("/security/0").has("apiKey"));
        assertEquals("bearer", document.at("/components/securitySchemes/apiKey/scheme").asText());
        List<String> listParameters = document.at("/paths/~1calls/get/parameters").findValuesAsText("name");
        assertEquals(List.of("agentId", "status", "from", "to", "page", "limit"), listParameters);
    }

    /** Last: it stops the broker. */
    @Test
    @Order(3)
    void healthNamesTheBrokerAndTheQueueConsumerOnceTheBrokerStopsItself() throws Exception {
        Response up = sendAs("", "GET", "/health", null, null);
        assertEquals(200, up.status(), up.body());
        assertEquals("UP", up.json().get("status").asText());

        // what Artemis does after a critical I/O error: the broker stops, the process goes on
        gateway.getCamelContext().getRegistry().lookupByNameAndType("embeddedBroker", EmbeddedBroker.class)
                .server().stop();

        await().atMost(Duration.ofSeconds(60)).until(() -> downParts().containsAll(List.of("broker", "queue-consumer",
                "deferred-callbacks-consumer")));
        Response down = sendAs("", "GET", "/health", null, null);
        assertEquals(503, down.status(), down.body());
        assertEquals("DOWN", down.json().get("status").asText());
        assertTrue(down.body().contains("embedded broker has stopped"), down.body());
        Response live = sendAs("", "GET", "/health/live", null, null);
        assertEquals(200, live.status(), "the process still runs: " + live.body());
    }

    private List<String> downParts() throws Exception {
        Response health = sendAs("", "GET", "/health", null, null);
        List<String> names = new ArrayList<>();
        health.json().path("down").forEach(part -> names.add(part.get("name").asText()));
        return names;
    }
}

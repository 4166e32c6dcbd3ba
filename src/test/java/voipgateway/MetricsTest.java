package voipgateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /metrics: what the service did, as Prometheus metrics. */
class MetricsTest extends GatewayTestSupport {

    @Test
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
}

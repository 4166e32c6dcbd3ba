package voipgateway;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Demo mode: the simulator's calldisconnect ends a live call and reports its end at once. */
class DemoHangupTest extends GatewayTestSupport {

    @Override
    protected Map<String, String> properties() {
        // left alone, the simulated call would last an hour
        return Map.of("voip.demo", "true", "voip.encryption-key", "",
                "simulator.sanspbx.callback-delay-seconds", "3600");
    }

    @Test
    void aHangUpEndsTheSimulatedCallAtOnce() throws Exception {
        Response added = send("POST", "/voip/add-provider", simulatorProviderBody());
        assertEquals(201, added.status(), added.body());
        assertEquals(200, send("PUT", "/voip/assign-number/" + added.json().at("/provider/dids/0/id").asText(),
                Map.of("agentId", AGENT)).status());
        String callPath = "/calls/" + call("+91 90000 00001").json().get("id").asText();

        Response hungUp = send("POST", callPath + "/hangup", Map.of());

        assertEquals(202, hungUp.status(), hungUp.body());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "completed".equals(send("GET", callPath, null).json().get("status").asText()));
        Response received = send("GET", "/simulator/sanspbx/requests", null);
        assertEquals("calldisconnect", received.json().get(received.json().size() - 1).get("api").asText());
    }
}

package voipgateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import voipgateway.queue.EmbeddedBroker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /health is 200 only while every part is up, and names what is down; /health/live only says it runs. */
class HealthTest extends GatewayTestSupport {

    @Test
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

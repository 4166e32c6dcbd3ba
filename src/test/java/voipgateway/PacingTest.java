package voipgateway;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pacing per provider account as only the whole service shows it: a burst on the queue is dialled at the account's
 * calls a second, none lost (REST's 429 and the slots: flows.PacingFlowTest).
 */
class PacingTest extends GatewayTestSupport {

    private static final String EVENTS = "jms:queue:voip.call-events";

    private ProducerTemplate producer;
    private ConsumerTemplate consumer;

    @BeforeEach
    void templates() {
        producer = gateway.getCamelContext().createProducerTemplate();
        consumer = gateway.getCamelContext().createConsumerTemplate();
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"5\"}");
        db().getCollection("slots").deleteMany(new org.bson.Document());
        db().getCollection("live").deleteMany(new org.bson.Document());
    }

    @AfterEach
    void stopTemplates() throws Exception {
        producer.stop();
        consumer.stop();
    }

    private void accountWithLimits(Map<String, Object> limits) throws Exception {
        Map<String, Object> body = providerBody();
        body.putAll(limits);
        Response added = send("POST", "/voip/add-provider", body);
        assertEquals(201, added.status(), added.body());
        assertEquals(200, send("PUT", "/voip/assign-number/" + added.json().at("/provider/dids/0/id").asText(),
                Map.of("agentId", AGENT)).status());
        pbx.resetRequests();
    }

    @Test
    void aBurstOf500QueuedRequestsIsDialledAtTheAccountsRateNoneLost() throws Exception {
        int perSecond = 25;
        accountWithLimits(Map.of("callsPerSecond", perSecond));
        while (consumer.receiveBody(EVENTS, 100) != null) {
            // drain
        }
        for (int i = 0; i < 500; i++) {
            producer.sendBody("jms:queue:voip.outbound-calls", JSON.writeValueAsString(Map.of(
                    "requestId", "burst-" + i, "agentId", AGENT, "leadId", LEAD, "toPhone", "9000000001")));
        }

        Set<String> outcomes = new HashSet<>();
        long deadline = System.currentTimeMillis() + 120_000;
        while (outcomes.size() < 500 && System.currentTimeMillis() < deadline) {
            String event = consumer.receiveBody(EVENTS, 5_000, String.class);
            if (event != null) {
                JsonNode outcome = JSON.readTree(event);
                assertEquals("initiated", outcome.get("status").asText(), event);
                outcomes.add(outcome.get("requestId").asText());
            }
        }
        assertEquals(500, outcomes.size(), "every request has its outcome");
        List<LoggedRequest> dials = pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(500, dials.size(), "each dialled once");
        Map<Long, Long> bySecond = new TreeMap<>(dials.stream().collect(Collectors.groupingBy(
                d -> d.getLoggedDate().getTime() / 1000, Collectors.counting())));
        System.out.println("[pacing] dials per second at the stand-in: " + bySecond.values());
        assertTrue(bySecond.values().stream().allMatch(n -> n <= perSecond),
                "dials the stand-in received in each second: " + bySecond);
        assertTrue(bySecond.size() >= 500 / perSecond, "spread over at least 20 seconds: " + bySecond);
        assertNull(consumer.receiveBody("jms:queue:voip.outbound-calls.dead-letter", 100), "none dead-lettered");
    }
}

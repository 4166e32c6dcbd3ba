package voipgateway;

import java.time.Duration;
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
import static org.awaitility.Awaitility.await;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pacing per provider account: calls a second and calls live at once, counted in MongoDB. Over the limit REST
 * answers 429 with Retry-After; the queue waits; a slot comes back when the call's end is reported.
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
    void atItsConcurrencyLimitAnAccountAnswers429UntilACallEnds() throws Exception {
        accountWithLimits(Map.of("maxConcurrentCalls", 2));
        String first = callWithKey("c-1", "9000000001").json().get("id").asText();
        assertEquals(201, callWithKey("c-2", "9000000001").status());

        Response busy = callWithKey("c-3", "9000000001");
        assertEquals(429, busy.status(), busy.body());
        assertEquals(List.of("1"), busy.headers().get("retry-after"));
        assertEquals("provider_account_busy", busy.json().get("error").asText());
        pbx.verify(2, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(429, callWithKey("c-3", "9000000001").status(), "still busy: the same key is asked again");

        // the first call's end is reported: its slot is free, and the waiting request goes through
        assertEquals(200, sansPbxCallback(first, "ANSWER").status());
        Response placed = callWithKey("c-3", "9000000001");
        assertEquals(201, placed.status(), placed.body());
        pbx.verify(3, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(2, db().getCollection("slots").countDocuments(new org.bson.Document("call",
                new org.bson.Document("$ne", null))));
    }

    @Test
    void withoutLimitsACallStillHoldsItsOwnSlotUntilItEnds() throws Exception {
        accountWithLimits(Map.of());
        String id = callWithKey("free-1", "9000000001").json().get("id").asText();
        // stored off the request path, by the next write of the live calls (about a second)
        await().atMost(Duration.ofSeconds(30)).until(() -> db().getCollection("live").countDocuments(
                new org.bson.Document("_id", new org.bson.types.ObjectId(id))) == 1);
        assertEquals(200, sansPbxCallback(id, "BUSY").status());
        await().atMost(Duration.ofSeconds(30)).until(() -> db().getCollection("live").countDocuments(
                new org.bson.Document("_id", new org.bson.types.ObjectId(id))) == 0);
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

package voipgateway;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An instance killed ({@code kill -9}) in the middle of a batch of queued requests, on any bus: a second instance,
 * its own process on the same MongoDB and bus, takes the batch while the test's instance does not read the queue;
 * once it is killed, the test's instance reads the queue again. Every request is then dialled at most once and
 * none is lost: each ends with a stored call and a published outcome (those whose dial was in flight at the kill
 * {@code unknown}, as the dial ledger settles an expired claim).
 */
final class MidBatchKill {

    /** Longer than four provider requests at the timeouts below (4 x (0.5 + 2) s, and a second). */
    static final int CLAIM_SECONDS = 12;
    private static final int REQUESTS = 30;

    interface Sender {
        /** Puts a request on the bus, through this template of the test's instance. */
        void send(ProducerTemplate producer, String requestId, String toPhone) throws Exception;
    }

    interface Events {
        /** The next outcome event's JSON, or null after a generous wait. */
        String next() throws Exception;
    }

    private final GatewayTestSupport test;
    /** How many requests the killed instance reads at once: at most that many dials are in flight at the kill. */
    private final int consumers;

    MidBatchKill(GatewayTestSupport test, int consumers) {
        this.test = test;
        this.consumers = consumers;
    }

    /** The test class's settings: this MongoDB port (shared with the second instance), short provider timeouts. */
    static Map<String, String> settings(int mongoPort) {
        return Map.of(
                "mongodb.embedded-port", Integer.toString(mongoPort),
                "voip.provider-connect-timeout-ms", "500",
                "voip.provider-response-timeout-ms", "2000",
                "voip.dial-claim-seconds", Integer.toString(CLAIM_SECONDS),
                "voip.claim-grace-seconds", "1",
                "voip.claim-check-ms", "500");
    }

    void run(Sender sender, Events events) throws Exception {
        test.lineThatDials("jwt-1", "89");
        test.pbx.stubFor(post(urlPathEqualTo(GatewayTestSupport.DIALCALL)).willReturn(aResponse().withStatus(200)
                .withFixedDelay(250).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"call_id\":\"89\"}")));
        test.gateway.getCamelContext().getRouteController().stopRoute("dial-queued-call");
        Process other = test.startAsItsOwnProcess(test.anotherInstance("member-2"), "member-2.log");
        ProducerTemplate producer = test.gateway.getCamelContext().createProducerTemplate();
        try {
            for (int i = 0; i < REQUESTS; i++) {
                sender.send(producer, "batch-" + i, String.format("0910000%04d", i));
            }
            try {
                await().atMost(Duration.ofSeconds(120)).until(() -> dials() >= 5);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                String log = java.nio.file.Files.readString(test.dataDir.resolve("member-2.log"));
                throw new AssertionError("the second instance dialled " + dials() + "; its log ends:\n"
                        + log.substring(Math.max(0, log.length() - 6000)), e);
            }
            other.destroyForcibly().waitFor();
            int dialledBeforeTheKill = dials();
            assertTrue(dialledBeforeTheKill < REQUESTS, "killed mid-batch: " + dialledBeforeTheKill);
        } finally {
            producer.stop();
            other.destroyForcibly();
            test.gateway.getCamelContext().getRouteController().startRoute("dial-queued-call");
        }

        Map<String, String> finalStatus = new HashMap<>();
        while (finalStatus.size() < REQUESTS) {
            String text = events.next();
            assertNotNull(text, "outcomes published: " + finalStatus.size() + " of " + REQUESTS);
            JsonNode event = GatewayTestSupport.JSON.readTree(text);
            if (event.get("requestId").asText().startsWith("batch-")) {
                finalStatus.put(event.get("requestId").asText(), event.get("status").asText());
            }
        }
        assertTrue(finalStatus.values().stream().allMatch(s -> s.equals("initiated") || s.equals("unknown")),
                finalStatus.toString());
        assertTrue(finalStatus.values().stream().filter("unknown"::equals).count() <= consumers,
                "only the dials in flight at the kill are unknown: " + finalStatus);

        Map<String, Integer> dialsPerNumber = new HashMap<>();
        for (var dial : test.pbx.findAll(postRequestedFor(urlPathEqualTo(GatewayTestSupport.DIALCALL)))) {
            dialsPerNumber.merge(GatewayTestSupport.JSON.readTree(dial.getBodyAsString()).get("call_to").asText(), 1,
                    Integer::sum);
        }
        assertTrue(dialsPerNumber.values().stream().allMatch(n -> n == 1), "dialled twice: " + dialsPerNumber);
        assertTrue(dialsPerNumber.size() >= REQUESTS - consumers, "dialled: " + dialsPerNumber.size());
        assertEquals(REQUESTS, test.db().getCollection("calls").countDocuments(
                new Document("toPhone", new Document("$regex", "^0910000"))));
    }

    private int dials() {
        return test.pbx.findAll(postRequestedFor(urlPathEqualTo(GatewayTestSupport.DIALCALL))).size();
    }
}

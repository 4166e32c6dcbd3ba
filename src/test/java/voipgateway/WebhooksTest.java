package voipgateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.webhooks.WebhookReceiver;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed webhooks as a tenant's receiver sees them: every event, verified with Standard Webhooks' own Java library,
 * retried through failures, never held up by another tenant's slow endpoint.
 */
class WebhooksTest extends GatewayTestSupport {

    private static final List<String> CALL_EVENTS = List.of("call.initiated", "call.completed", "call.busy",
            "call.refused", "call.scheduled");
    private static final String OTHER_KEY = "test-api-key-of-tenant-b";

    private WebhookReceiver receiver;

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.webhooks.first-retry-ms", "100", "voip.webhooks.longest-retry-seconds", "1",
                "voip.webhooks.retry-for-seconds", "3", "voip.webhooks.timeout-ms", "60000",
                "voip.webhooks.outbox-check-seconds", "1");
    }

    @BeforeEach
    void receiverAndLine() throws Exception {
        receiver = new WebhookReceiver();
        lineThatDials("jwt-1", "1");
        db().getCollection("apikeys").replaceOne(new Document("_id", voipgateway.tenants.ApiKeys.hash(OTHER_KEY)),
                new Document("_id", voipgateway.tenants.ApiKeys.hash(OTHER_KEY)).append("tenantId", "tenant-b")
                        .append("revoked", false), new com.mongodb.client.model.ReplaceOptions().upsert(true));
    }

    @AfterEach
    void closeReceiverAndEndpoints() throws Exception {
        receiver.close();
        for (String key : List.of(API_KEY, OTHER_KEY)) {
            for (JsonNode webhook : sendAs(key, "GET", "/webhooks", null, null).json().path("webhooks")) {
                sendAs(key, "DELETE", "/webhooks/" + webhook.get("id").asText(), null, null);
            }
        }
    }

    @Test
    void retriedThroughFailuresThenDeliveredSignedOncePerEventInSequence() throws Exception {
        receiver.answers("/hooks", 503, 503, 429);
        JsonNode created = webhook(API_KEY, "/hooks");
        String secret = created.get("secret").asText();
        String callId = call("09000000001").json().get("id").asText();
        assertEquals(200, sansPbxCallback(callId, "ANSWER").status());

        List<JsonNode> events = await("both events taken").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> taken("/hooks", secret), e -> e.size() == 2);
        assertEquals(List.of("call.initiated", "call.completed"), events.stream().map(e -> e.get("type").asText()).toList());
        assertEquals(List.of(1, 2), events.stream().map(e -> e.at("/data/sequence").asInt()).toList());
        JsonNode completed = events.get(1).get("data");
        assertEquals(callId, completed.get("callId").asText());
        assertEquals("default", completed.get("tenantId").asText());
        assertEquals("completed", completed.get("status").asText());
        assertEquals("SansPBX", completed.get("provider").asText());
        assertEquals(AGENT, completed.get("agentId").asText());
        assertEquals(LEAD, completed.get("leadId").asText());
        assertEquals(42, completed.get("durationSeconds").asInt());
        // every request verified, the failed ones included: at least the three refused and the two taken
        List<WebhookReceiver.Received> requests = receiver.received("/hooks");
        assertTrue(requests.size() >= 5, "requests: " + requests.size());
        // the 429's Retry-After (2 s) honoured: its event not asked again before then
        WebhookReceiver.Received throttled = requests.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        WebhookReceiver.Received again = requests.stream().filter(r -> r.header("webhook-id").equals(
                throttled.header("webhook-id")) && r.at().isAfter(throttled.at())).findFirst().orElseThrow();
        assertFalse(again.at().isBefore(throttled.at().plusMillis(1900)), throttled.at() + " then " + again.at());
        for (WebhookReceiver.Received request : receiver.received("/hooks")) {
            new Webhook(secret).verify(request.body(), request.headers());
        }
        // the deliveries say what happened; the secret is stored nowhere in the clear
        String webhookId = created.get("id").asText();
        JsonNode deliveries = await("both deliveries stored as delivered").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> send("GET", "/webhooks/" + webhookId
                        + "/deliveries?status=delivered", null).json().get("deliveries"), d -> d.size() == 2);
        assertTrue(deliveries.findValues("attempts").stream().mapToInt(JsonNode::asInt).sum() >= 5, deliveries.toString());
        String scraped = metrics().body();
        assertTrue(scraped.contains("voip_webhook_deliveries_total{outcome=\"delivered\"}"), scraped);
        assertTrue(scraped.contains("voip_webhook_deliveries_total{outcome=\"retried\"}"), scraped);
        assertTrue(scraped.contains("voip_webhook_attempts_seconds_count{result=\"retryable\"}"), scraped);
        assertTrue(scraped.contains("voip_webhook_oldest_undelivered_seconds{webhook=\"" + webhookId + "\"}"), scraped);
        for (String collection : List.of("webhooks", "webhook_deliveries", "calls")) {
            for (Document stored : db().getCollection(collection).find()) {
                assertFalse(stored.toJson().contains(secret.substring("whsec_".length())), collection);
            }
        }
        assertFalse(capturedLogs().contains(secret.substring("whsec_".length())));
    }

    @Test
    void aReceiverDownThroughoutLeavesTheDeliveryFailedAndItCanBeSentAgain() throws Exception {
        String down = "http://127.0.0.1:" + freePort() + "/hooks";
        JsonNode created = send("POST", "/webhooks", Map.of("url", down, "events", CALL_EVENTS)).json();
        String webhookId = created.get("id").asText();
        call("09000000001");

        JsonNode failed = await("the delivery given up").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> send("GET", "/webhooks/" + webhookId + "/deliveries?status=failed", null).json()
                        .get("deliveries"), d -> d.size() == 1);
        JsonNode delivery = failed.get(0);
        assertEquals("call.initiated", delivery.get("type").asText());
        assertTrue(delivery.get("attempts").asInt() >= 2, delivery.toString());
        assertEquals("no connection", delivery.at("/lastAttempt/error").asText(), delivery.toString());
        assertTrue(delivery.get("failure").asText().startsWith("gave up after"), delivery.toString());

        // the receiver is back (at another address): the failed delivery is sent again on request
        assertEquals(200, send("PATCH", "/webhooks/" + webhookId, Map.of("url", receiver.url("/back"))).status());
        Response retried = send("POST", "/webhooks/" + webhookId + "/deliveries/" + delivery.get("id").asText()
                + "/retry", null);
        assertEquals(202, retried.status(), retried.body());
        List<JsonNode> taken = await("sent again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> taken("/back", created.get("secret").asText()), e -> e.size() == 1);
        assertEquals(delivery.get("eventId").asText(), taken.get(0).get("id").asText());
        assertEquals("delivered", send("GET", "/webhooks/" + webhookId + "/deliveries", null).json()
                .at("/deliveries/0/status").asText());
    }

    @Test
    void afterARotationBothSecretsVerifyUntilTheOldOneExpires() throws Exception {
        JsonNode created = webhook(API_KEY, "/rotated");
        String oldSecret = created.get("secret").asText();
        Response rotated = send("POST", "/webhooks/" + created.get("id").asText() + "/rotate-secret", null);
        assertEquals(200, rotated.status(), rotated.body());
        String newSecret = rotated.json().get("secret").asText();
        assertFalse(newSecret.equals(oldSecret));
        assertTrue(rotated.json().get("previousSecretValidUntil").asText().startsWith("20"));

        call("09000000001");
        await("the event taken").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.received("/rotated").size() == 1);
        WebhookReceiver.Received request = receiver.received("/rotated").get(0);
        assertEquals(2, request.header("webhook-signature").split(" ").length, request.header("webhook-signature"));
        new Webhook(oldSecret).verify(request.body(), request.headers());
        new Webhook(newSecret).verify(request.body(), request.headers());
        // neither secret is ever answered again
        assertFalse(send("GET", "/webhooks", null).body().contains("whsec_"));
    }

    @Test
    void aSlowEndpointHoldsUpNoOtherTenantsEvents() throws Exception {
        receiver.hold("/slow");
        webhook(API_KEY, "/slow");
        String secret = webhook(OTHER_KEY, "/fast").get("secret").asText();
        // tenant default's endpoint is stuck on more events than there are attempts in flight
        for (int i = 1; i <= 6; i++) {
            assertEquals(201, call("0900000000" + i).status());
        }
        await("the slow endpoint holding its first attempts").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> receiver.arrivals("/slow") >= 2);

        // tenant-b's line and call
        Map<String, Object> account = providerBody();
        account.put("did", "0124-6000002");
        Response added = sendAs(OTHER_KEY, "POST", "/voip/add-provider", "application/json", JSON.writeValueAsString(account));
        assertEquals(201, added.status(), added.body());
        String numberId = added.json().at("/provider/dids/0/id").asText();
        assertEquals(200, sendAs(OTHER_KEY, "PUT", "/voip/assign-number/" + numberId, "application/json",
                JSON.writeValueAsString(Map.of("agentId", "agent-b"))).status());
        Response otherCall = sendAs(OTHER_KEY, "POST", "/calls/outbound", "application/json",
                JSON.writeValueAsString(Map.of("agentId", "agent-b", "leadId", LEAD, "toPhone", "09000000009")));
        assertEquals(201, otherCall.status(), otherCall.body());

        List<JsonNode> taken = await("tenant-b's event, while tenant default's endpoint still holds").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> taken("/fast", secret), e -> e.size() == 1);
        assertEquals("tenant-b", taken.get(0).at("/data/tenantId").asText());
        assertEquals(otherCall.json().get("id").asText(), taken.get(0).at("/data/callId").asText());
        // still held: at most voip.webhooks.endpoint-concurrency (2) of its requests in flight
        assertEquals(2, receiver.arrivals("/slow"));
        assertEquals(0, receiver.received("/slow").size());
        receiver.release("/slow");
        await("the slow endpoint's six events, once it answers").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> receiver.received("/slow").size() >= 6);
    }

    @Test
    void aRefusedCallIsAnEventWithItsReason() throws Exception {
        String secret = webhook(API_KEY, "/refused").get("secret").asText();
        assertEquals(201, send("POST", "/dnc", Map.of("phone", "09000000077")).status());
        assertEquals(422, call("09000000077").status());

        JsonNode event = await("the refusal").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> taken("/refused", secret), e -> e.size() == 1).get(0);
        assertEquals("call.refused", event.get("type").asText());
        assertEquals("dnc", event.at("/data/reason").asText());
        assertEquals(1, event.at("/data/sequence").asInt());
    }

    /** What an instance that stopped between a call's write and its relay leaves: sent by the leader's look. */
    @Test
    void eventsLeftInACallsOutboxAreSentAgain() throws Exception {
        String secret = webhook(API_KEY, "/left").get("secret").asText();
        org.bson.types.ObjectId id = new org.bson.types.ObjectId();
        java.util.Date minuteAgo = new java.util.Date(System.currentTimeMillis() - 60_000);
        db().getCollection("calls").insertOne(new Document("_id", id).append("userId", "default")
                .append("agentId", AGENT).append("leadId", LEAD).append("provider", "SansPBX")
                .append("idempotencyKey", "left-" + id).append("status", "completed").append("statusRank", 4)
                .append("version", 3).append("eventSequence", 3).append("outbox", List.of(
                        new Document("seq", 3).append("type", "call.completed").append("at", minuteAgo)
                                .append("status", "completed").append("durationSeconds", 7))));

        JsonNode event = await("the left-behind event").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> taken("/left", secret), e -> e.size() == 1).get(0);
        assertEquals("evt_" + id.toHexString() + "_3", event.get("id").asText());
        assertEquals(7, event.at("/data/durationSeconds").asInt());
        await("the outbox emptied").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> db().getCollection("calls").find(new Document("_id", id)).first()
                        .getList("outbox", Document.class).isEmpty());
    }

    @Test
    void badWebhooksAreRefusedNamingTheField() throws Exception {
        assertRefused(Map.of("url", "ftp://example.com/x", "events", CALL_EVENTS), "url");
        assertRefused(Map.of("url", "http://example.com/x", "events", CALL_EVENTS), "url");
        assertRefused(Map.of("url", receiver.url("/x"), "events", List.of("call.exploded")), "events");
        assertRefused(Map.of("url", receiver.url("/x"), "events", List.of()), "events");
        assertRefused(Map.of("url", receiver.url("/x"), "events", CALL_EVENTS, "secret", "mine"), "secret");
        assertEquals(404, send("GET", "/webhooks/wh_nothing", null).status());
        assertEquals(404, send("GET", "/webhooks/wh_nothing/deliveries", null).status());
        // another tenant's endpoint is not there for this one
        String id = webhook(OTHER_KEY, "/b").get("id").asText();
        assertEquals(404, send("GET", "/webhooks/" + id, null).status());
        assertEquals(404, send("DELETE", "/webhooks/" + id, null).status());
        assertEquals(0, send("GET", "/webhooks", null).json().get("webhooks").size());
    }

    private void assertRefused(Map<String, Object> body, String field) throws Exception {
        Response refused = send("POST", "/webhooks", body);
        assertEquals(400, refused.status(), refused.body());
        assertEquals(field, refused.json().get("field").asText(), refused.body());
    }

    private JsonNode webhook(String apiKey, String path) throws Exception {
        Response created = sendAs(apiKey, "POST", "/webhooks", "application/json",
                JSON.writeValueAsString(Map.of("url", receiver.url(path), "events", CALL_EVENTS)));
        assertEquals(201, created.status(), created.body());
        assertTrue(created.json().get("secret").asText().startsWith("whsec_"));
        return created.json();
    }

    /**
     * The events a path took (answered 2xx), each verified, once per webhook-id, in each call's sequence order:
     * what a receiver that orders by sequence sees.
     */
    private List<JsonNode> taken(String path, String secret) throws Exception {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        List<WebhookReceiver.Received> requests = receiver.received(path);
        for (WebhookReceiver.Received request : requests) {
            new Webhook(secret).verify(request.body(), request.headers());
            if (request.status() / 100 != 2) {
                continue;
            }
            JsonNode event = JSON.readTree(request.body());
            ((com.fasterxml.jackson.databind.node.ObjectNode) event).put("id", request.header("webhook-id"));
            byId.put(request.header("webhook-id"), event);
        }
        List<JsonNode> events = new ArrayList<>(byId.values());
        events.sort(Comparator.comparing((JsonNode e) -> e.at("/data/callId").asText())
                .thenComparingInt(e -> e.at("/data/sequence").asInt()));
        return events;
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

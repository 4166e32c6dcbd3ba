package voipgateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import jakarta.jms.JMSSecurityException;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.core.server.Queue;
import org.bson.Document;
import voipgateway.queue.EmbeddedBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Call requests through the embedded Artemis broker: each distinct request dialled exactly once. */
class QueueCallsTest extends GatewayTestSupport {

    private static final String CALLS = "jms:queue:voip.outbound-calls";
    private static final String EVENTS = "jms:queue:voip.call-events";
    private static final String DEAD_LETTERS = "jms:queue:voip.outbound-calls.dead-letter";

    private ProducerTemplate producer;
    private ConsumerTemplate consumer;

    @BeforeEach
    void templates() throws Exception {
        producer = gateway.getCamelContext().createProducerTemplate();
        consumer = gateway.getCamelContext().createConsumerTemplate();
        lineThatDials("jwt-1", "42");
        while (consumer.receiveBody(EVENTS, 100) != null) {
            // drain what an earlier test left
        }
    }

    @AfterEach
    void stopTemplates() throws Exception {
        producer.stop();
        consumer.stop();
    }

    @Test
    void dialsAQueuedRequestAndPublishesItsOutcome() throws Exception {
        enqueue(request("req-1"));

        JsonNode event = nextEvent();

        assertEquals("req-1", event.get("requestId").asText());
        assertEquals("default", event.get("tenantId").asText());
        assertEquals("initiated", event.get("status").asText());
        assertEquals("42", event.get("providerCallId").asText());
        Document call = db().getCollection("calls").find().first();
        assertEquals(event.get("callId").asText(), call.getObjectId("_id").toHexString());
        assertEquals("req-1", call.getString("idempotencyKey"));
        assertEquals("default", call.getString("userId"));
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        // no voice URL is set here: no callback_url is sent
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)).withRequestBody(containing("callback_url")));
    }

    @Test
    void theSameMessageDeliveredTwiceDialsOnce() throws Exception {
        enqueue(request("req-twice"));
        enqueue(request("req-twice"));

        JsonNode first = nextEvent();
        JsonNode second = nextEvent();

        assertEquals(first.get("callId"), second.get("callId"));
        assertEquals("initiated", second.get("status").asText());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(1, db().getCollection("calls").countDocuments());
    }

    @Test
    void twoHundredMessagesWithOneInFiveDuplicatedDialEachRequestOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            ids.add("bulk-" + i);
        }
        for (int i = 0; i < 40; i++) {
            ids.add("bulk-" + (i * 4));
        }
        for (String id : ids) {
            enqueue(request(id));
        }

        Set<String> requests = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            JsonNode event = nextEvent();
            assertEquals("initiated", event.get("status").asText(), event.toString());
            requests.add(event.get("requestId").asText());
        }

        assertEquals(160, requests.size());
        pbx.verify(160, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(160, db().getCollection("calls").countDocuments());
    }

    @Test
    void aMessageThatCanNeverSucceedIsDeadLetteredAsItCameWithTheReason() throws Exception {
        String broken = "{\"requestId\": \"broken\", ";
        enqueue(broken);
        Map<String, Object> unknownAgent = request("req-nobody");
        unknownAgent.put("agentId", "nobody");
        String nobody = JSON.writeValueAsString(unknownAgent);
        enqueue(nobody);

        Map<String, Message> letters = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Message letter = deadLetter();
            letters.put(letter.getBody(String.class), letter);
        }

        assertEquals(Set.of(broken, nobody), letters.keySet(), "each dead letter is the original message");
        assertEquals("body", letters.get(broken).getHeader("field"));
        assertEquals("bad_request", letters.get(broken).getHeader("error"));
        assertEquals("body is not valid JSON", letters.get(broken).getHeader("reason"));
        assertEquals("agentId", letters.get(nobody).getHeader("field"));
        assertEquals("req-nobody", letters.get(nobody).getHeader("requestId"));
        assertTrue(letters.get(nobody).getHeader("reason", String.class).contains("nobody"),
                letters.get(nobody).getHeaders().toString());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void aRequestOfAnotherTenantCannotUseThisTenantsAgent() throws Exception {
        Map<String, Object> foreign = request("req-foreign");
        foreign.put("tenantId", "tenant-b");
        enqueue(foreign);

        Message letter = deadLetter();

        assertEquals("agentId", letter.getHeader("field"), letter.getHeaders().toString());
        assertEquals(JSON.readTree(JSON.writeValueAsString(foreign)), JSON.readTree(letter.getBody(String.class)));
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void aProviderOutageIsRedeliveredUntilTheDialGoesThrough() throws Exception {
        // the account's token is already expired, so the dial must ask gentoken first: the outage is met before
        // any dial request leaves
        pbxIssuesToken("jwt-expired", "2000-01-01 00:00:00");
        assertEquals(200, send("POST", "/voip/add-provider", providerBody()).status());
        pbx.stop();
        try {
            enqueue(request("req-outage"));
            // tried and rolled back for redelivery: the entry is released with the reason, nothing is published
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Document call = db().getCollection("calls").find().first();
                return call != null && "released".equals(call.getString("claim")) && call.get("lastError") != null;
            });
            assertEquals("pending", db().getCollection("calls").find().first().getString("status"));
            assertEquals(null, consumer.receiveBody(EVENTS, 100), "no outcome while the PBX is down");
        } finally {
            pbx.start();
        }

        JsonNode event = nextEvent();

        assertEquals("initiated", event.get("status").asText());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    /** A dial the provider refuses: one outcome event, naming the tenant and the stored call; nothing redelivered. */
    @Test
    void aRefusedDialPublishesOneEventWithItsTenantAndCall() throws Exception {
        pbxDials("{\"status\":\"failed\",\"message\":\"Insufficient balance\"}");
        enqueue(request("req-refused"));

        JsonNode event = nextEvent();
        awaitCallsQueueSettled();

        Document call = db().getCollection("calls").find(new Document("idempotencyKey", "req-refused")).first();
        assertEquals("failed", call.getString("status"));
        assertEquals(call.getObjectId("_id").toHexString(), event.get("callId").asText(), event.toString());
        assertEquals("default", event.get("tenantId").asText(), event.toString());
        assertEquals("failed", event.get("status").asText());
        assertEquals(null, consumer.receiveBody(EVENTS, 1_000), "one event per outcome");
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    /** The embedded broker takes only its user and password (generated into the data folder, logged where). */
    @Test
    void theEmbeddedBrokerRefusesAClientWithoutItsCredentials() throws Exception {
        String url = "tcp://127.0.0.1:" + brokerPort;
        String password = java.nio.file.Files.readString(dataDir.resolve("artemis").resolve("broker-password")).trim();
        assertThrows(JMSSecurityException.class, () -> new ActiveMQConnectionFactory(url).createConnection().close());
        assertThrows(JMSSecurityException.class, () -> new ActiveMQConnectionFactory(url, "voip-gateway", "guess")
                .createConnection().close());
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url, "voip-gateway", password);
                jakarta.jms.Connection connection = factory.createConnection()) {
            connection.start();
        }
        assertTrue(capturedLogs().contains("The embedded broker requires user 'voip-gateway' and the password"
                + " generated into " + dataDir.resolve("artemis").resolve("broker-password")), "logged where it is");
        assertFalse(capturedLogs().contains(password), "the password itself is not logged");
    }

    /** Every message of the calls queue is done with: none waits, none is being delivered or waits to be again. */
    private void awaitCallsQueueSettled() {
        EmbeddedBroker broker = gateway.getCamelContext().getRegistry().lookupByNameAndType("embeddedBroker",
                EmbeddedBroker.class);
        Queue queue = broker.server().locateQueue(SimpleString.of("voip.outbound-calls"));
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.getMessageCount() == 0);
    }

    private Map<String, Object> request(String requestId) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("requestId", requestId);
        request.put("agentId", AGENT);
        request.put("leadId", LEAD);
        request.put("toPhone", "+91 90000 00001");
        request.put("metadata", Map.of("campaign", "test"));
        return request;
    }

    private void enqueue(Object message) throws Exception {
        producer.sendBody(CALLS, message instanceof String s ? s : JSON.writeValueAsString(message));
    }

    private JsonNode nextEvent() throws Exception {
        String event = consumer.receiveBody(EVENTS, 20_000, String.class);
        assertNotNull(event, "an outcome event was published");
        return JSON.readTree(event);
    }

    private Message deadLetter() {
        Exchange letter = consumer.receive(DEAD_LETTERS, 20_000);
        assertNotNull(letter, "a dead letter was published");
        return letter.getMessage();
    }
}

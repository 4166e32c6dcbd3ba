package voipgateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"42\"}");
        providerWithAgent();
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
        assertEquals("initiated", event.get("status").asText());
        assertEquals("42", event.get("providerCallId").asText());
        Document call = db().getCollection("calls").find().first();
        assertEquals(event.get("callId").asText(), call.getObjectId("_id").toHexString());
        assertEquals("req-1", call.getString("idempotencyKey"));
        assertEquals("default", call.getString("userId"));
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
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
    void aMessageThatCanNeverSucceedIsDeadLetteredWithTheReason() throws Exception {
        enqueue("{\"requestId\": \"broken\", ");
        Map<String, Object> unknownAgent = request("req-nobody");
        unknownAgent.put("agentId", "nobody");
        enqueue(unknownAgent);

        List<JsonNode> letters = List.of(deadLetter(), deadLetter());

        assertTrue(letters.stream().anyMatch(l -> "body".equals(l.path("field").asText())), letters.toString());
        assertTrue(letters.stream().anyMatch(l -> "agentId".equals(l.path("field").asText())
                && "req-nobody".equals(l.path("requestId").asText())), letters.toString());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void aRequestOfAnotherTenantCannotUseThisTenantsAgent() throws Exception {
        Map<String, Object> foreign = request("req-foreign");
        foreign.put("tenantId", "tenant-b");
        enqueue(foreign);

        JsonNode letter = deadLetter();

        assertEquals("agentId", letter.path("field").asText(), letter.toString());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void aProviderOutageIsRedeliveredUntilTheDialGoesThrough() throws Exception {
        pbx.stop();
        try {
            enqueue(request("req-outage"));
            Thread.sleep(2500);
            assertEquals(null, consumer.receiveBody(EVENTS, 100), "no outcome while the PBX is down");
            assertEquals("pending", db().getCollection("calls").find().first().getString("status"));
        } finally {
            pbx.start();
        }

        JsonNode event = nextEvent();

        assertEquals("initiated", event.get("status").asText());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
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

    private JsonNode deadLetter() throws Exception {
        String letter = consumer.receiveBody(DEAD_LETTERS, 20_000, String.class);
        assertNotNull(letter, "a dead letter was published");
        return JSON.readTree(letter);
    }
}

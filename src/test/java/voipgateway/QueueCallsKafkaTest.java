package voipgateway;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import voipgateway.brokers.KafkaBroker;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Call requests from a real Kafka broker (KRaft, in the tests' JVM): the calls topic read by a consumer group, the
 * outcomes published to the events topic keyed by call id; every request dialled once, a duplicated record too, and
 * a member of the group killed mid-batch.
 */
class QueueCallsKafkaTest extends GatewayTestSupport {

    private final String brokers = KafkaBroker.shared().brokers();
    private final int mongoPort = AvailablePortFinder.getNextAvailable();

    @Override
    protected Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>(MidBatchKill.settings(mongoPort));
        // as an operator would set them: the commit and retry settings are application.properties' own; a dead
        // member's partitions go to the others after 6 s
        properties.put("calls.queue.uri", "kafka:voip.outbound-calls?brokers=" + brokers
                + "&groupId=voip-gateway&autoOffsetReset=earliest&sessionTimeoutMs=6000");
        properties.put("calls.events.uri", "kafka:voip.call-events?brokers=" + brokers);
        properties.put("calls.dead-letter.uri", "kafka:voip.outbound-calls.dead-letter?brokers=" + brokers);
        return properties;
    }

    @Test
    void eachRequestFromKafkaIsDialledOnceAndItsOutcomePublished() throws Exception {
        lineThatDials("jwt-1", "88");
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        ConsumerTemplate consumer = gateway.getCamelContext().createConsumerTemplate();
        try {
            for (int i = 0; i < 20; i++) {
                send(producer, "kafka-" + i);
            }
            for (int i = 0; i < 5; i++) {
                send(producer, "kafka-" + i * 3);
            }

            Set<String> requests = new HashSet<>();
            for (int i = 0; i < 25;) {
                Exchange record = consumer.receive("kafka:voip.call-events?brokers=" + brokers
                        + "&groupId=test-events&autoOffsetReset=earliest", 30_000);
                assertNotNull(record, "event " + i + " was published");
                String text = record.getMessage().getBody(String.class);
                JsonNode event = JSON.readTree(text);
                if (!event.get("requestId").asText().startsWith("kafka-")) {
                    continue;
                }
                i++;
                assertEquals(event.get("callId").asText(), record.getMessage().getHeader(KafkaConstants.KEY),
                        "keyed by its call: a call's events stay in order");
                assertEquals("initiated", event.get("status").asText(), text);
                assertEquals("default", event.get("tenantId").asText(), text);
                requests.add(event.get("requestId").asText());
            }

            assertEquals(20, requests.size());
            pbx.verify(20, postRequestedFor(urlPathEqualTo(DIALCALL)));
            assertEquals(20, db().getCollection("calls").countDocuments());
        } finally {
            producer.stop();
            consumer.stop();
        }
    }

    /** A member of the group killed mid-batch: its partitions go to this instance; none lost, none dialled twice. */
    @Test
    void aMemberKilledMidBatchLosesNothingAndDialsNothingTwice() throws Exception {
        ConsumerTemplate consumer = gateway.getCamelContext().createConsumerTemplate();
        try {
            new MidBatchKill(this, 1).run(this::send, () -> consumer.receiveBody("kafka:voip.call-events?brokers="
                    + brokers + "&groupId=test-batch&autoOffsetReset=earliest", 120_000, String.class));
        } finally {
            consumer.stop();
        }
    }

    private void send(ProducerTemplate producer, String requestId) throws Exception {
        send(producer, requestId, "09000000001");
    }

    private void send(ProducerTemplate producer, String requestId, String toPhone) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>(Map.of("requestId", requestId, "agentId", AGENT,
                "leadId", LEAD, "toPhone", toPhone));
        producer.sendBodyAndHeader("kafka:voip.outbound-calls?brokers=" + brokers, JSON.writeValueAsString(request),
                KafkaConstants.KEY, requestId);
    }
}

package voipgateway;

import java.nio.file.Files;
import java.util.Map;

import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import voipgateway.queue.EmbeddedBroker;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * BROKER_URL=amqp://... : the service talks AMQP 1.0 to an external broker (an Artemis of its own here, in the
 * place of RabbitMQ) instead of starting the embedded one; the same routes and ledger apply.
 */
class AmqpBusTest extends GatewayTestSupport {

    private EmbeddedBroker external;
    private java.nio.file.Path externalData;

    @Override
    protected Map<String, String> properties() {
        if (external == null) {
            try {
                int amqpPort = AvailablePortFinder.getNextAvailable();
                externalData = Files.createTempDirectory("external-broker");
                external = new EmbeddedBroker(externalData, amqpPort, "voip.outbound-calls", "voip.calls.",
                        "voip.status-callbacks", new String[] {"bus-user", "bus-password-of-the-test"});
                external.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return Map.of("broker.url", external.url().replace("tcp://", "amqp://"), "broker.username", "bus-user",
                "broker.password", "bus-password-of-the-test");
    }

    @AfterAll
    void stopExternal() throws Exception {
        external.stop();
        deleteTree(externalData);
    }

    @Test
    void queuedCallsFlowOverAmqp() throws Exception {
        lineThatDials("jwt-1", "77");
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        ConsumerTemplate consumer = gateway.getCamelContext().createConsumerTemplate();

        producer.sendBody("jms:queue:voip.outbound-calls", JSON.writeValueAsString(Map.of("requestId", "amqp-1",
                "agentId", AGENT, "leadId", LEAD, "toPhone", "09000000001")));
        String event = consumer.receiveBody("jms:queue:voip.call-events", 20_000, String.class);

        assertNotNull(event);
        assertEquals("initiated", JSON.readTree(event).get("status").asText(), event);
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        producer.stop();
        consumer.stop();
    }
}

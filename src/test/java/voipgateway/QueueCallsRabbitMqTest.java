package voipgateway;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.qpid.jms.JmsQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import voipgateway.brokers.RabbitMqBroker;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Call requests from a real RabbitMQ (Debian's, AMQP 1.0 through its plugin; started by the tests): no broker
 * transaction, a message acknowledged only once its outcome is stored and published; every request dialled once,
 * a duplicated message too, and an instance killed mid-batch; a lost broker makes /health say so, naming the queue.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueueCallsRabbitMqTest extends GatewayTestSupport {

    private static final int CLAIM_SECONDS = MidBatchKill.CLAIM_SECONDS;

    private final RabbitMqBroker rabbit = RabbitMqBroker.shared();
    private final int mongoPort = AvailablePortFinder.getNextAvailable();
    /** The outcome events, read as a client of the bus would: one consumer of its own for the whole class. */
    private Connection eventsConnection;
    private MessageConsumer events;

    @BeforeAll
    void readEvents() throws Exception {
        eventsConnection = new JmsConnectionFactory(RabbitMqBroker.USER, RabbitMqBroker.PASSWORD,
                rabbit.url() + RabbitMqBroker.CLIENT_OPTIONS).createConnection();
        eventsConnection.start();
        events = eventsConnection.createSession(false, Session.AUTO_ACKNOWLEDGE)
                .createConsumer(new JmsQueue("voip.call-events"));
    }

    @AfterAll
    void stopReadingEvents() throws Exception {
        eventsConnection.close();
    }

    private String nextEvent(long millis) throws Exception {
        Message message = events.receive(millis);
        if (message instanceof BytesMessage bytes) {
            byte[] body = new byte[(int) bytes.getBodyLength()];
            bytes.readBytes(body);
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
        return message == null ? null : ((TextMessage) message).getText();
    }

    @Override
    protected Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>(MidBatchKill.settings(mongoPort));
        properties.put("broker.url", rabbit.url() + RabbitMqBroker.CLIENT_OPTIONS);
        properties.put("broker.username", RabbitMqBroker.USER);
        properties.put("broker.password", RabbitMqBroker.PASSWORD);
        return properties;
    }

    @Override
    protected java.util.List<String> secrets() {
        java.util.List<String> secrets = new java.util.ArrayList<>(super.secrets());
        secrets.add(RabbitMqBroker.PASSWORD);
        return secrets;
    }

    @Test
    void eachRequestFromRabbitMqIsDialledOnceAndItsOutcomePublished() throws Exception {
        lineThatDials("jwt-1", "87");
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        try {
            for (int i = 0; i < 20; i++) {
                producer.sendBody("jms:queue:voip.outbound-calls", request("rabbit-" + i, "09000000001"));
            }
            for (int i = 0; i < 5; i++) {
                producer.sendBody("jms:queue:voip.outbound-calls", request("rabbit-" + i * 3, "09000000001"));
            }
            Set<String> requests = new HashSet<>();
            for (int i = 0; i < 25;) {
                String text = nextEvent(30_000);
                assertNotNull(text, "event " + i + " was published");
                JsonNode event = JSON.readTree(text);
                if (!event.get("requestId").asText().startsWith("rabbit-")) {
                    continue;
                }
                i++;
                assertEquals("initiated", event.get("status").asText(), text);
                requests.add(event.get("requestId").asText());
            }
            assertEquals(20, requests.size());
            pbx.verify(20, postRequestedFor(urlPathEqualTo(DIALCALL)));
            assertEquals(20, db().getCollection("calls").countDocuments());
        } finally {
            producer.stop();
        }
    }

    @Test
    void anInstanceKilledMidBatchLosesNothingAndDialsNothingTwice() throws Exception {
        new MidBatchKill(this, 4).run((producer, requestId, toPhone) -> producer.sendBody(
                "jms:queue:voip.outbound-calls", request(requestId, toPhone)), () -> nextEvent(120_000));
    }

    /** RabbitMQ stopped under the service: /health answers 503 naming the queue; back, the queue is read again. */
    @Test
    @Order(Integer.MAX_VALUE) // last: the events' reader does not come back with the broker
    void aConsumerThatLostItsBrokerIsReportedByHealthNamingTheQueue() throws Exception {
        lineThatDials("jwt-1", "86");
        rabbit.control("stop_app");
        try {
            // each consumer says so when it finds its connection gone (the calls' and the deferred callbacks')
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    Response health = send("GET", "/health", null);
                    return health.status() == 503 && health.body().contains(
                            "the call-request consumer of queue voip.outbound-calls is not connected to the broker");
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                StringBuilder threads = new StringBuilder(send("GET", "/health", null).body());
                Thread.getAllStackTraces().forEach((thread, stack) -> {
                    if (thread.getName().contains("JmsConsumer")) {
                        threads.append("\n").append(thread.getName()).append(' ').append(thread.getState());
                        for (int i = 0; i < Math.min(12, stack.length); i++) {
                            threads.append("\n  at ").append(stack[i]);
                        }
                    }
                });
                throw new AssertionError(threads.toString(), e);
            }
        } finally {
            rabbit.control("start_app");
            rabbit.awaitPort(Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> send("GET", "/health", null).status() == 200);
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        try {
            producer.sendBody("jms:queue:voip.outbound-calls", request("after-outage", "09000000002"));
        } finally {
            producer.stop();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))
                .withRequestBody(containing("\"09000000002\""))).size() == 1);
    }

    private static String request(String requestId, String toPhone) throws Exception {
        return JSON.writeValueAsString(Map.of("requestId", requestId, "agentId", AGENT, "leadId", LEAD,
                "toPhone", toPhone));
    }
}

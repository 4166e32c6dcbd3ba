package voipgateway.bench;

import java.util.Map;

import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import voipgateway.GatewayTestSupport;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Queue messages consumed end to end (message in, ledger, dialcall, outcome event out) per second, against a
 * stand-in PBX that answers at once: 2,000 requests after 300 warm-up ones, through the embedded Artemis broker.
 * {@code mvn -B test -Dtest=QueueBenchmark -Dbenchmark.skip=none}.
 */
@Tag("benchmark")
class QueueBenchmark extends GatewayTestSupport {

    private static final int MESSAGES = 2_000;
    private static final int WARM_UP = 300;

    @Test
    void messagesPerSecond() throws Exception {
        lineThatDials("jwt", "1");
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        ConsumerTemplate consumer = gateway.getCamelContext().createConsumerTemplate();

        run(producer, consumer, "warm-", WARM_UP);
        pbx.resetRequests();
        long started = System.nanoTime();
        run(producer, consumer, "bench-", MESSAGES);
        double seconds = (System.nanoTime() - started) / 1e9;

        int dials = pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))).size();
        assertEquals(MESSAGES, dials);
        System.out.printf("%nQueue benchmark: %d messages end to end in %.1f s = %.0f messages/s; %d dialcalls%n",
                MESSAGES, seconds, MESSAGES / seconds, dials);
        producer.stop();
        consumer.stop();
    }

    private void run(ProducerTemplate producer, ConsumerTemplate consumer, String prefix, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            producer.sendBody("jms:queue:voip.outbound-calls", JSON.writeValueAsString(Map.of("requestId",
                    prefix + i, "agentId", AGENT, "leadId", LEAD, "toPhone", "09000000001")));
        }
        for (int i = 0; i < count; i++) {
            assertNotNull(consumer.receiveBody("jms:queue:voip.call-events", 60_000, String.class));
        }
    }
}

package voipgateway;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import voipgateway.queue.EmbeddedBroker;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * voip.queue.per-tenant=true with the shared queue off: a queue per tenant (voip.calls.&lt;tenant&gt;), its tenant
 * the queue's, so a broker's access rules decide who may place calls for whom; a tenant added through the admin
 * API gets its queue's consumer at the next look.
 */
class TenantQueuesTest extends GatewayTestSupport {

    private static final String ADMIN_KEY = "test-admin-key-of-tenant-queues";

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.queue.per-tenant", "true", "voip.queue.shared", "false", "voip.admin-key", ADMIN_KEY,
                "voip.queue.tenant-look-ms", "500");
    }

    @Test
    void eachTenantsCallsComeFromItsOwnQueue() throws Exception {
        lineThatDials("jwt-1", "91");
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        ConsumerTemplate consumer = gateway.getCamelContext().createConsumerTemplate();
        try {
            producer.sendBody("jms:queue:voip.calls.default", request("own-1", null));
            JsonNode event = JSON.readTree(consumer.receiveBody("jms:queue:voip.call-events", 20_000, String.class));
            assertEquals("initiated", event.get("status").asText(), event.toString());
            assertEquals("default", event.get("tenantId").asText());

            // a message on the default tenant's queue cannot act for another tenant
            producer.sendBody("jms:queue:voip.calls.default", request("other-1", "tenant-b"));
            Exchange letter = consumer.receive("jms:queue:voip.outbound-calls.dead-letter", 20_000);
            assertNotNull(letter, "dead-lettered");
            assertEquals("tenantId", letter.getMessage().getHeader("field"));

            // a new tenant's queue is read at the next look; its messages are that tenant's (which has no agent)
            assertEquals(201, sendAs(ADMIN_KEY, "POST", "/admin/tenants", "application/json",
                    "{\"tenantId\":\"tenant-b\"}").status());
            producer.sendBody("jms:queue:voip.calls.tenant-b", request("b-1", null));
            Exchange refused = consumer.receive("jms:queue:voip.outbound-calls.dead-letter", 20_000);
            assertNotNull(refused, "read by tenant-b's consumer and dead-lettered");
            assertEquals("agentId", refused.getMessage().getHeader("field"));

            // the shared queue is not read
            producer.sendBody("jms:queue:voip.outbound-calls", request("shared-1", null));
            EmbeddedBroker broker = gateway.getCamelContext().getRegistry().lookupByNameAndType("embeddedBroker",
                    EmbeddedBroker.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.depth("voip.outbound-calls") == 1);
            assertEquals(0, broker.server().locateQueue(org.apache.activemq.artemis.api.core.SimpleString.of(
                    "voip.outbound-calls")).getConsumerCount(), "nobody reads it");
            pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
            assertEquals(200, send("GET", "/health", null).status(), "the shared queue's consumer is off by setting");
        } finally {
            producer.stop();
            consumer.stop();
        }
    }

    private static String request(String requestId, String tenant) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>(Map.of("requestId", requestId, "agentId", AGENT,
                "leadId", LEAD, "toPhone", "09000000001"));
        if (tenant != null) {
            request.put("tenantId", tenant);
        }
        return JSON.writeValueAsString(request);
    }
}

package voipgateway;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * MongoDB given by URI (a separate server process stand-in on its own socket), stopped and started again under
 * the running service: a callback that cannot be stored now is kept on the broker (202) and applied once MongoDB is
 * back, without the provider retrying; a dial whose answer could not be stored is never dialled again; the timer
 * routes say in one line per run that they could not look.
 */
class MongoOutageTest extends GatewayTestSupport {

    private ExternalMongo mongo;

    @Override
    protected Map<String, String> properties() {
        if (mongo == null) {
            mongo = new ExternalMongo(dataDir.resolve("external-mongo.mv.db"));
        }
        return Map.of("mongodb.uri", mongo.uri(),
                "mongodb.server-selection-timeout-ms", "1000",
                // a short claim, so the dial whose answer was lost settles soon (it must outlast 4 requests)
                "voip.provider-connect-timeout-ms", "200",
                "voip.provider-response-timeout-ms", "1800",
                "voip.dial-claim-seconds", "9");
    }

    @AfterAll
    void stopMongo() {
        mongo.stop();
    }

    @Test
    void aQueuedDialWhoseAnswerCouldNotBeStoredIsRedeliveredAndSettledUnknownNeverRedialled() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(1500)
                .withBody("{\"status\":\"success\",\"call_id\":\"4712\"}")));
        providerWithAgent();
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        ConsumerTemplate consumer = gateway.getCamelContext().createConsumerTemplate();

        producer.sendBody("jms:queue:voip.outbound-calls", JSON.writeValueAsString(Map.of("requestId", "crash-1",
                "agentId", AGENT, "leadId", LEAD, "toPhone", "09000000001")));
        // the PBX has the dial; MongoDB goes away before its answer can be stored
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))).isEmpty());
        mongo.stop();
        // the request failed to store its answer and went back to the broker
        await().atMost(Duration.ofSeconds(30)).until(() -> capturedLogs().contains("[error] call request crash-1"));
        mongo.start();

        String event = consumer.receiveBody("jms:queue:voip.call-events", 30_000, String.class);

        assertNotNull(event, "the redelivered message ends with an outcome");
        assertEquals("unknown", JSON.readTree(event).get("status").asText(), event);
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals("unknown", db().getCollection("calls").find(new Document("idempotencyKey", "crash-1")).first()
                .getString("status"));
        assertEquals(1, send("GET", "/calls?status=unknown", null).json().get("items").size());
        producer.stop();
        consumer.stop();
    }

    @Test
    void aCallbackWhileMongoIsDownIsKeptAndAppliedOnceWhenItIsBack() throws Exception {
        lineThatDials("jwt-1", "4711");
        String callId = call("09000000001").json().get("id").asText();
        String url = "/callbacks/sanspbx/status?call=" + callId + "&token="
                + callbackToken(callId);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("Linkedid", "4711");
        report.put("disposition", "ANSWER");
        report.put("duration", "10");
        report.put("billsec", "8");
        report.put("end_time", "2026-02-14 15:36:08");
        report.put("custom_field", Map.of("record_id", callId));

        mongo.stop();
        try {
            Response down = send("POST", url, report);
            assertEquals(202, down.status(), down.body());
            assertTrue(down.json().get("deferred").asBoolean(), down.body());
            // the PBX sends it again (it did not trust the first answer): harmless
            assertEquals(202, send("POST", url, report).status());

            pbx.resetRequests();
            Response callWhileDown = call("09000000001");
            assertEquals(503, callWhileDown.status(), callWhileDown.body());
            pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));

            Response health = sendAs("", "GET", "/health", null, null);
            assertEquals(503, health.status(), health.body());
            assertEquals("mongodb", health.json().at("/down/0/name").asText(), health.body());
            assertEquals(200, sendAs("", "GET", "/health/live", null, null).status(), "the process runs");
        } finally {
            mongo.start();
        }
        // applied from the broker, no retry by the provider needed
        await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(db().getCollection("calls")
                .find(new Document("_id", new ObjectId(callId))).first().getString("status")));
        Document stored = db().getCollection("calls").find(new Document("_id", new ObjectId(callId))).first();
        assertEquals(1, stored.getList("statusHistory", Document.class).size(), "applied once");
        assertEquals(8, stored.getInteger("billSeconds"));
        assertTrue(capturedLogs().contains("[deferred] SansPBX: call " + callId + " completed kept on the broker"));
        // the scheduler looked every 300 ms while MongoDB was down: a line each time, not a stack trace
        assertTrue(capturedLogs().contains("WARN  storage - [timer] dial-due-calls: MongoDB is unreachable;"
                + " tried again at the next run"), capturedLogs());
        assertFalse(capturedLogs().contains("TimerConsumer"), capturedLogs());
    }
}

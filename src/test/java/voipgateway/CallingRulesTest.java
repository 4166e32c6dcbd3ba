package voipgateway;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The calling rules through the running service: a promotional call outside its window is refused (422, the
 * next allowed time) or scheduled and dialled when the window opens; a number on the do-not-call list is never
 * dialled, over REST or the queue; every refusal and deferral is stored on the call and published.
 */
class CallingRulesTest extends GatewayTestSupport {

    private static final ZoneId IST = ZoneId.of("Asia/Kolkata");
    private static final String ADMIN_KEY = "test-admin-key-of-calling-rules";
    private static final String EVENTS = "jms:queue:voip.call-events";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private ProducerTemplate producer;
    private ConsumerTemplate consumer;

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.admin-key", ADMIN_KEY);
    }

    @BeforeEach
    void lineAndNoRules() throws Exception {
        producer = gateway.getCamelContext().createProducerTemplate();
        consumer = gateway.getCamelContext().createConsumerTemplate();
        lineThatDials("jwt-1", "77");
        promotionalWindow("");
        while (consumer.receiveBody(EVENTS, 100) != null) {
            // drain what an earlier test left
        }
    }

    @AfterEach
    void stopTemplates() throws Exception {
        producer.stop();
        consumer.stop();
    }

    private void promotionalWindow(String window) throws Exception {
        Response set = send("PUT", "/calling-rules", Map.of("windows", java.util.Collections.singletonMap(
                "promotional", window.isEmpty() ? null : window)));
        assertEquals(200, set.status(), set.body());
    }

    /** A window that starts {@code inSeconds} from now (India time) and lasts two hours. */
    private void windowOpeningIn(long inSeconds) throws Exception {
        LocalTime now = ZonedDateTime.now(IST).toLocalTime();
        promotionalWindow(now.plusSeconds(inSeconds).format(CLOCK) + "-" + now.plusSeconds(inSeconds).plusHours(2)
                .format(CLOCK));
    }

    private Response callWith(String key, Map<String, Object> extra) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("toPhone", "9000000001"));
        fields.putAll(extra);
        return callWithKey(key, fields);
    }


    private JsonNode nextEvent() throws Exception {
        String event = consumer.receiveBody(EVENTS, 20_000, String.class);
        assertNotNull(event, "an event was published");
        return JSON.readTree(event);
    }

    @Test
    void outsideTheWindowAPromotionalCallIsRefusedWithTheNextAllowedTimeStoredAndPublished() throws Exception {
        windowOpeningIn(2 * 3600);

        Response refused = callWith("late-1", Map.of());

        assertEquals(422, refused.status(), refused.body());
        assertEquals("outside_calling_window", refused.json().get("error").asText());
        assertEquals("refused", refused.json().get("status").asText());
        ZonedDateTime next = ZonedDateTime.parse(refused.json().get("nextAllowedAt").asText());
        assertTrue(Duration.between(ZonedDateTime.now(), next).toMinutes() >= 110, refused.body());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        Document call = storedCall(refused.json().get("id").asText());
        assertEquals("refused", call.getString("status"));
        assertEquals("outside_calling_window", call.getString("reason"));
        JsonNode event = nextEvent();
        assertEquals("refused", event.get("status").asText());
        assertEquals("outside_calling_window", event.get("reason").asText());
        assertEquals("late-1", event.get("requestId").asText());

        // the same key again: the same answer, one call
        assertEquals(refused.body(), callWith("late-1", Map.of()).body());
        assertEquals(1, db().getCollection("calls").countDocuments());
        // a service call has no window
        assertEquals(201, callWith("late-2", Map.of("purpose", "service")).status());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    /**
     * A scheduled call canceled: 200 and an event, never dialled, its key answers canceled; a second cancel, or one
     * of a call being placed, 409; another tenant's, 404.
     */
    @Test
    void aScheduledCallIsCanceledOnceAndNeverDialled() throws Exception {
        windowOpeningIn(2 * 3600);
        String id = callWith("cancel-1", Map.of("schedule", true)).json().get("id").asText();
        assertEquals("scheduled", nextEvent().get("status").asText());
        String otherTenant = otherTenantsKey();
        assertEquals(404, sendAs(otherTenant, "POST", "/calls/" + id + "/cancel", null, null).status());
        assertEquals(409, send("POST", "/calls/" + id + "/hangup", Map.of()).status(), "a hang-up points to cancel");

        Response canceled = send("POST", "/calls/" + id + "/cancel", null);

        assertEquals(200, canceled.status(), canceled.body());
        assertEquals("canceled", canceled.json().get("status").asText());
        JsonNode event = nextEvent();
        assertEquals("canceled", event.get("status").asText(), event.toString());
        assertEquals(id, event.get("callId").asText());
        assertEquals("default", event.get("tenantId").asText());
        assertEquals("cancel-1", event.get("requestId").asText());
        Response again = send("POST", "/calls/" + id + "/cancel", null);
        assertEquals(409, again.status(), again.body());
        assertEquals("call_ended", again.json().get("error").asText());
        Response replayed = callWith("cancel-1", Map.of("schedule", true));
        assertEquals("canceled", replayed.json().get("status").asText(), replayed.body());

        assertEquals(0, db().getCollection("schedule").countDocuments(), "the scheduler's entry is gone");
        assertEquals("canceled", storedCall(id).getString("status"));
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));

        promotionalWindow("");

        String dialled = callWith("cancel-2", Map.of()).json().get("id").asText();
        Response tooLate = send("POST", "/calls/" + dialled + "/cancel", null);
        assertEquals(409, tooLate.status(), tooLate.body());
        assertEquals("initiated", storedCall(dialled).getString("status"));
    }

    /** The API key of a second tenant, made through the admin API. */
    private String otherTenantsKey() throws Exception {
        Response created = sendAs(ADMIN_KEY, "POST", "/admin/tenants", "application/json",
                "{\"tenantId\":\"tenant-cancel-" + System.nanoTime() + "\"}");
        assertEquals(201, created.status(), created.body());
        return created.json().get("apiKey").asText();
    }

    @Test
    void aScheduledCallWaitsAndIsDialledWhenItsWindowOpens() throws Exception {
        windowOpeningIn(6);

        Response scheduled = callWith("wait-1", Map.of("schedule", true));

        assertEquals(202, scheduled.status(), scheduled.body());
        assertEquals("scheduled", scheduled.json().get("status").asText());
        String id = scheduled.json().get("id").asText();
        assertEquals("scheduled", nextEvent().get("status").asText());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(1, db().getCollection("schedule").countDocuments());

        await().atMost(Duration.ofSeconds(30)).until(() -> "initiated".equals(storedCall(id).getString("status")));
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)).withRequestBody(equalToJson(
                "{\"call_to\": \"09000000001\", \"custom_field\": {\"record_id\": \"" + id + "\"}}", true, true)));
        JsonNode dialled = nextEvent();
        assertEquals("initiated", dialled.get("status").asText());
        assertEquals("wait-1", dialled.get("requestId").asText());
        assertEquals(0, db().getCollection("schedule").countDocuments());
        // the key now answers the call's outcome
        assertEquals(201, callWith("wait-1", Map.of("schedule", true)).status());
    }

    @Test
    void aScheduledCallSurvivesARestart() throws Exception {
        windowOpeningIn(12);
        Response scheduled = callWith("wait-restart", Map.of("schedule", true));
        assertEquals(202, scheduled.status(), scheduled.body());
        String id = scheduled.json().get("id").asText();
        producer.stop();
        consumer.stop();

        stop();
        start();

        await().atMost(Duration.ofSeconds(40)).until(() -> "initiated".equals(storedCall(id).getString("status")));
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        producer = gateway.getCamelContext().createProducerTemplate();
        consumer = gateway.getCamelContext().createConsumerTemplate();
    }

    @Test
    void aQueuedRequestOutsideItsWindowIsScheduledNotDeadLettered() throws Exception {
        windowOpeningIn(2 * 3600);

        producer.sendBody("jms:queue:voip.outbound-calls", JSON.writeValueAsString(Map.of("requestId", "q-late",
                "agentId", AGENT, "leadId", LEAD, "toPhone", "9000000001")));

        JsonNode event = nextEvent();
        assertEquals("scheduled", event.get("status").asText(), event.toString());
        assertEquals("outside_calling_window", event.get("reason").asText());
        assertNotNull(event.get("scheduledFor"));
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void aNumberOnTheDoNotCallListIsNeverDialledOverRestOrTheQueue() throws Exception {
        Response listed = send("POST", "/dnc", Map.of("phone", "+91 90000 00001"));
        assertEquals(201, listed.status(), listed.body());
        assertEquals("09000000001", listed.json().get("phone").asText());

        Response refused = callWith("dnc-1", Map.of("purpose", "transactional"));
        assertEquals(422, refused.status(), refused.body());
        assertEquals("dnc", refused.json().get("error").asText());
        assertEquals("dnc", nextEvent().get("reason").asText());

        producer.sendBody("jms:queue:voip.outbound-calls", JSON.writeValueAsString(Map.of("requestId", "q-dnc",
                "agentId", AGENT, "leadId", LEAD, "toPhone", "09000000001")));
        JsonNode queued = nextEvent();
        assertEquals("refused", queued.get("status").asText());
        assertEquals("dnc", queued.get("reason").asText());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));

        Response page = send("GET", "/dnc?limit=10", null);
        assertEquals("09000000001", page.json().at("/items/0/phone").asText(), page.body());
        assertEquals(200, send("DELETE", "/dnc/9000000001", null).status());
        assertEquals(404, send("DELETE", "/dnc/9000000001", null).status());
        assertEquals(201, callWith("dnc-2", Map.of()).status());
    }

    @Test
    void aScheduledCallWhoseNumberIsListedMeanwhileIsRefusedWhenItsWindowOpens() throws Exception {
        windowOpeningIn(4);
        Response scheduled = callWith("wait-dnc", Map.of("schedule", true));
        assertEquals(202, scheduled.status(), scheduled.body());
        assertEquals(201, send("POST", "/dnc", Map.of("phone", "9000000001")).status());

        String id = scheduled.json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "refused".equals(storedCall(id).getString("status")));
        assertEquals("dnc", storedCall(id).getString("reason"));
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        await().atMost(Duration.ofSeconds(10)).until(() -> db().getCollection("schedule").countDocuments() == 0);
    }

    @Test
    void aRequestAskedAgainAfterItsFirstTryFailedIsCheckedAgain() throws Exception {
        // the first try never reached the provider (token request reset): released for a retry with its key
        pbx.resetAll();
        pbx.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlPathEqualTo(GENTOKEN)).willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withFault(
                        com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
        db().getCollection("voipproviders").updateMany(new Document(), new Document("$set",
                new Document("updatedAt", new java.util.Date())));
        Response failed = callWith("again-1", Map.of());
        assertEquals(503, failed.status(), failed.body());
        pbxIssuesToken("jwt-2", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"78\"}");

        assertEquals(201, send("POST", "/dnc", Map.of("phone", "9000000001")).status());
        Response again = callWith("again-1", Map.of());

        assertEquals(422, again.status(), again.body());
        assertEquals("dnc", again.json().get("error").asText());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals("refused", storedCall(again.json().get("id").asText()).getString("status"));
    }

    /** India's number series (TRAI, 2025): a tenant that asks for it never dials a promotional call from a plain DID. */
    @Test
    void withTheNumberSeriesRuleACallFromTheWrongSeriesIsRefusedBeforeAnyDial() throws Exception {
        Response on = send("PUT", "/calling-rules", Map.of("numberSeries", true));
        assertEquals(200, on.status(), on.body());
        assertTrue(on.json().get("numberSeries").asBoolean());
        try {
            Response refused = callWith("series-1", Map.of());
            assertEquals(422, refused.status(), refused.body());
            assertEquals("caller_id_series", refused.json().get("error").asText());
            assertTrue(refused.json().get("message").asText().contains("140"), refused.body());
            assertEquals("caller_id_series", nextEvent().get("reason").asText());
            String id = refused.json().get("id").asText();
            assertEquals("refused", storedCall(id).getString("status"));
            pbx.verify(0, com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(DIALCALL)));
            assertEquals(400, send("PUT", "/calling-rules", Map.of("numberSeries", "yes")).status());
        } finally {
            assertEquals(200, send("PUT", "/calling-rules", Map.of("numberSeries", false)).status());
        }
        assertEquals(201, callWith("series-2", Map.of()).status());
    }

    @Test
    void aCsvImportListsEveryValidNumberAndReportsTheRest() throws Exception {
        Response imported = sendRaw("POST", "/dnc/import", "text/csv",
                "phone,name\n9000000011,A\nnot a number,B\n+91-90000-00012\n\n9000000011\n");
        assertEquals(200, imported.status(), imported.body());
        assertEquals(3, imported.json().get("imported").asInt());
        assertEquals(3, imported.json().at("/invalid/0/line").asInt());
        assertEquals(2, db().getCollection("dnc").countDocuments());
        assertEquals(400, sendRaw("POST", "/dnc/import", "text/csv", "phone\n").status());
    }

    @Test
    void rulesAreCheckedAsTheyAreSet() throws Exception {
        Response bad = send("PUT", "/calling-rules", Map.of("windows", Map.of("promotional", "9am-9pm")));
        assertEquals(400, bad.status());
        assertEquals("windows.promotional", bad.json().get("field").asText());
        assertEquals("timeZone", send("PUT", "/calling-rules", Map.of("timeZone", "Mars/Olympus")).json()
                .get("field").asText());
        assertEquals("purpose", callWith("p", Map.of("purpose", "cold-call")).json().get("field").asText());

        Response set = send("PUT", "/calling-rules", Map.of("timeZone", "Asia/Dubai"));
        assertEquals("Asia/Dubai", set.json().get("timeZone").asText());
        Response shown = send("GET", "/calling-rules", null);
        assertEquals("Asia/Dubai", shown.json().get("timeZone").asText());
        assertTrue(shown.json().at("/windows/service").isNull(), shown.body());
        send("PUT", "/calling-rules", Map.of("timeZone", "Asia/Kolkata"));
    }
}

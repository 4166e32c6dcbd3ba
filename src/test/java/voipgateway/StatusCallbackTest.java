package voipgateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import voipgateway.callbacks.TwilioSignatures;
import voipgateway.calls.CallLifecycle;
import voipgateway.crypto.CredentialCipher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Provider status callbacks: stored in order, exactly once, authenticated, never lost. */
class StatusCallbackTest extends GatewayTestSupport {

    private static final CredentialCipher CIPHER = new CredentialCipher(KEY);

    private String callId;
    private String providerCallId;

    @BeforeEach
    void placeACall() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"" + System.nanoTime() + "\"}");
        providerWithAgent();
        JsonNode call = call("09000000001").json();
        callId = call.get("id").asText();
        providerCallId = call.get("providerCallId").asText();
    }

    @Test
    void storesTheSansPbxPostCallReportOnTheCall() throws Exception {
        Response response = sansPbx(callId, report("ANSWER", callId));

        assertEquals(200, response.status(), response.body());
        assertTrue(response.json().get("applied").asBoolean());
        Document stored = storedCall();
        assertEquals("completed", stored.getString("status"));
        assertEquals(42, stored.getInteger("durationSeconds"));
        assertEquals(37, stored.getInteger("billSeconds"));
        assertEquals("https://recordings.example.com/r.wav", stored.getString("recordingUrl"));
        assertEquals("Normal Clearing", stored.getString("endReason"));
        // the outcome, the same for every provider, and the provider's own cause (Q.850 16: normal clearing)
        assertEquals("answered", stored.getString("outcome"));
        assertEquals(new Document("code", "16").append("text", "Normal Clearing"), stored.get("cause", Document.class));
        // 2026-02-14 15:36:08 in Asia/Kolkata
        assertEquals("2026-02-14T10:06:08Z", stored.getDate("endedAt").toInstant().toString());
        assertEquals("2026-02-14T10:05:31Z", stored.getDate("answeredAt").toInstant().toString());
        List<Document> history = stored.getList("statusHistory", Document.class);
        assertEquals(1, history.size());
        assertEquals("completed", history.get(0).getString("status"));
        assertEquals("ANSWER", history.get(0).get("payload", Document.class).getString("disposition"));
        assertNotNull(history.get(0).getDate("receivedAt"));

        JsonNode shown = send("GET", "/calls/" + callId, null).json();
        assertEquals("completed", shown.get("status").asText());
        assertEquals("completed", shown.at("/statusHistory/0/status").asText());
    }

    /** Keys a real MongoDB would read as an operator or a path are stored as look-alikes; values masked. */
    @Test
    void callbackKeysNeverReadAsOperatorsOrPaths() throws Exception {
        Map<String, Object> report = report("ANSWER", callId);
        report.put("$set", Map.of("status", "queued"));
        report.put("a.b", "dotted");
        report.put("note", "Authorization: Basic ZGVtbzpzZWNyZXQ=");

        assertEquals(200, sansPbx(callId, report).status());

        Document payload = storedCall().getList("statusHistory", Document.class).get(0).get("payload", Document.class);
        assertFalse(payload.keySet().stream().anyMatch(key -> key.startsWith("$") || key.contains(".")),
                payload.keySet().toString());
        assertEquals("queued", payload.get("\uFF04set", Document.class).getString("status"));
        assertEquals("dotted", payload.getString("a\uFF0Eb"));
        assertFalse(payload.getString("note").contains("ZGVtbzpzZWNyZXQ"), payload.getString("note"));
        assertEquals("completed", storedCall().getString("status"));
    }

    @ParameterizedTest
    @CsvSource({"no answer,no-answer", "NO_ANSWER,no-answer", "No Answer,no-answer", "busy,busy", "FAILED,failed",
            "Answer,completed"})
    void mapsDispositionsInAnyCase(String disposition, String status) throws Exception {
        assertEquals(200, sansPbx(callId, report(disposition, callId)).status());
        assertEquals(status, storedCall().getString("status"));
    }

    @Test
    void matchesByProviderCallIdWhenRecordIdIsMissing() throws Exception {
        Map<String, Object> report = report("BUSY", callId);
        report.remove("custom_field");

        assertEquals(200, sansPbx(callId, report).status());
        assertEquals("busy", storedCall().getString("status"));
    }

    @Test
    void theSameCallbackTwiceIsStoredOnce() throws Exception {
        assertTrue(sansPbx(callId, report("ANSWER", callId)).json().get("applied").asBoolean());

        Response again = sansPbx(callId, report("ANSWER", callId));

        assertEquals(200, again.status());
        assertFalse(again.json().get("applied").asBoolean());
        assertEquals(1, storedCall().getList("statusHistory", Document.class).size());
    }

    @Test
    void anOlderEventNeverOverwritesANewerOne() throws Exception {
        placedThroughTwilio();
        assertEquals(200, twilio(callId, "in-progress", 2).status());
        assertEquals(200, twilio(callId, "completed", 3).status());
        Response late = twilio(callId, "ringing", 1);

        assertEquals(200, late.status());
        assertFalse(late.json().get("applied").asBoolean());
        Document stored = storedCall();
        assertEquals("completed", stored.getString("status"));
        assertEquals(List.of("answered", "completed"), statuses(stored));
        assertNotNull(stored.getDate("answeredAt"));
        assertEquals(57, stored.getInteger("durationSeconds"));
    }

    @Test
    void aTerminalStateIsNeverLeft() throws Exception {
        placedThroughTwilio();
        assertEquals(200, twilio(callId, "busy", 1).status());
        assertFalse(twilio(callId, "completed", 2).json().get("applied").asBoolean());
        assertFalse(twilio(callId, "in-progress", 3).json().get("applied").asBoolean());
        assertEquals("busy", storedCall().getString("status"));
    }

    @Test
    void fiftyConcurrentCallbacksOfOneCallKeepItsHistoryInOrder() throws Exception {
        placedThroughTwilio();
        String[] statuses = {"ringing", "in-progress", "completed", "busy", "ringing"};
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                String status = statuses[i % statuses.length];
                int sequence = i;
                answers.add(pool.submit(() -> twilio(callId, status, sequence)));
            }
            for (Future<Response> answer : answers) {
                assertEquals(200, answer.get().status(), answer.get().body());
            }
        } finally {
            pool.shutdown();
        }

        Document stored = storedCall();
        List<String> history = statuses(stored);
        assertTrue(CallLifecycle.isTerminal(stored.getString("status")), stored.getString("status"));
        assertEquals(stored.getString("status"), history.get(history.size() - 1));
        for (int i = 1; i < history.size(); i++) {
            assertTrue(CallLifecycle.rank(history.get(i - 1)) < CallLifecycle.rank(history.get(i)),
                    "history moves forward only: " + history);
        }
        long applied = answers.stream().filter(f -> {
            try {
                return f.get().json().get("applied").asBoolean();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).count();
        assertEquals(history.size(), applied, "every applied callback is in the history exactly once");
    }

    @Test
    void aCallbackForAnUnknownCallIsKeptAsAnOrphan() throws Exception {
        String unknown = new ObjectId().toHexString();
        Map<String, Object> report = report("ANSWER", unknown);
        report.put("Linkedid", "no-such-call");

        Response response = sansPbx(unknown, report);

        assertEquals(202, response.status(), response.body());
        Document orphan = db().getCollection("orphancallbacks").find().first();
        assertNotNull(orphan);
        assertEquals(unknown, orphan.getString("recordId"));
        assertEquals("ANSWER", orphan.get("payload", Document.class).getString("disposition"));
        assertEquals(0, storedCall().getList("statusHistory", Document.class, List.of()).size());
    }

    @Test
    void aCallbackWithoutAValidTokenIs403AndChangesNothing() throws Exception {
        String body = JSON.writeValueAsString(report("ANSWER", callId));
        assertEquals(403, sendRaw("POST", "/callbacks/sanspbx/status?call=" + callId + "&token=0123", "application/json",
                body).status());
        assertEquals(403, sendRaw("POST", "/callbacks/sanspbx/status", "application/json", body).status());
        String other = new ObjectId().toHexString();
        Response otherCallsToken = sendRaw("POST", "/callbacks/sanspbx/status?call=" + other + "&token="
                + callbackToken(other), "application/json", body);
        assertEquals(403, otherCallsToken.status(), otherCallsToken.body());
        assertEquals("token", otherCallsToken.json().get("field").asText());

        assertEquals("initiated", storedCall().getString("status"));
        assertEquals(0, db().getCollection("orphancallbacks").countDocuments());
    }

    @Test
    void malformedCallbacksAre400() throws Exception {
        String url = "/callbacks/sanspbx/status?call=" + callId + "&token=" + callbackToken(callId);
        assertEquals("body", sendRaw("POST", url, "application/json", "{not json").json().get("field").asText());
        Map<String, Object> noDisposition = report("ANSWER", callId);
        noDisposition.remove("disposition");
        assertEquals("disposition", sansPbx(callId, noDisposition).json().get("field").asText());
        assertEquals("disposition", sansPbx(callId, report("EXPLODED", callId)).json().get("field").asText());
        Map<String, Object> badDuration = report("ANSWER", callId);
        badDuration.put("duration", "long");
        assertEquals(400, sansPbx(callId, badDuration).status());
        Response noSid = sendRaw("POST", "/callbacks/twilio/status?call=" + callId + "&token="
                + callbackToken("Twilio", callId),
                "application/x-www-form-urlencoded", "CallStatus=completed");
        assertEquals(400, noSid.status(), noSid.body());
        assertEquals("CallSid", noSid.json().get("field").asText());

        assertEquals("initiated", storedCall().getString("status"));
    }

    @Test
    void twilioCallbacksAreCheckedAgainstTheAccountsSignature() throws Exception {
        placedThroughTwilio();
        db().getCollection("voipproviders").updateOne(new Document(),
                new Document("$set", new Document("credentials.authToken", CIPHER.encrypt("twilio-auth-token"))));
        String query = "call=" + callId + "&token=" + callbackToken("Twilio", callId);
        Map<String, Object> form = twilioForm("completed", 1);
        String signature = TwilioSignatures.sign("twilio-auth-token",
                "http://localhost:" + port + "/callbacks/twilio/status?" + query, form);

        Response forged = postForm("/callbacks/twilio/status?" + query, form, "bm90IGl0");
        assertEquals(403, forged.status(), forged.body());
        assertEquals("initiated", storedCall().getString("status"));

        Response signed = postForm("/callbacks/twilio/status?" + query, form, signature);
        assertEquals(200, signed.status(), signed.body());
        assertEquals("completed", storedCall().getString("status"));
    }

    // --- helpers ---

    private Document storedCall() {
        return db().getCollection("calls").find(new Document("_id", new ObjectId(callId))).first();
    }

    private static List<String> statuses(Document call) {
        return call.getList("statusHistory", Document.class).stream().map(d -> d.getString("status"))
                .collect(Collectors.toList());
    }

    private Map<String, Object> report(String disposition, String recordId) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("Linkedid", providerCallId);
        report.put("disposition", disposition);
        report.put("did", "6000001");
        report.put("call_to", "09000000001");
        report.put("duration", "42");
        report.put("billsec", "37");
        report.put("start_time", "2026-02-14 15:35:26");
        report.put("end_time", "2026-02-14 15:36:08");
        report.put("cause", "16");
        report.put("cause_txt", "Normal Clearing");
        report.put("recfile", "https://recordings.example.com/r.wav");
        report.put("custom_field", Map.of("record_id", recordId));
        return report;
    }

    private Response sansPbx(String urlCallId, Map<String, Object> report) throws Exception {
        return sendRaw("POST", "/callbacks/sanspbx/status?call=" + urlCallId + "&token=" + callbackToken(urlCallId),
                "application/json", JSON.writeValueAsString(report));
    }

    private Map<String, Object> twilioForm(String status, int sequence) {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("CallSid", providerCallId);
        form.put("CallStatus", status);
        form.put("CallDuration", "57");
        form.put("Timestamp", "Sat, 14 Feb 2026 10:06:08 +0000");
        form.put("SequenceNumber", Integer.toString(sequence));
        return form;
    }

    /** The call as if placed through a Twilio account (a SansPBX call takes no Twilio callbacks). */
    private void placedThroughTwilio() {
        db().getCollection("calls").updateOne(new Document("_id", new ObjectId(callId)),
                new Document("$set", new Document("provider", "Twilio")));
    }

    private Response twilio(String urlCallId, String status, int sequence) throws Exception {
        return postForm("/callbacks/twilio/status?call=" + urlCallId + "&token=" + callbackToken("Twilio", urlCallId),
                twilioForm(status, sequence), null);
    }

    @Test
    void aKeptEventIsAppliedFromTheBrokerAndOneThatCannotBeIsDeadLettered() throws Exception {
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        ConsumerTemplate consumer = gateway.getCamelContext().createConsumerTemplate();
        try {
            // what defer-status-event keeps: the event, never the callback URL's token
            producer.sendBody("jms:queue:voip.status-callbacks", new Document("provider", "SansPBX")
                    .append("recordId", callId).append("providerCallId", "4711").append("status", "ringing")
                    .append("changes", new Document()).append("payload", new Document("disposition", "RINGING"))
                    .append("callId", callId).toJson());
            producer.sendBody("jms:queue:voip.status-callbacks", "{not an event");

            await().atMost(Duration.ofSeconds(30)).until(() -> "ringing".equals(storedCall().getString("status")));
            assertEquals(1, storedCall().getList("statusHistory", Document.class).size());
            assertEquals("{not an event", consumer.receiveBody("jms:queue:voip.status-callbacks.dead-letter", 30_000,
                    String.class));
        } finally {
            producer.stop();
            consumer.stop();
        }
    }
}

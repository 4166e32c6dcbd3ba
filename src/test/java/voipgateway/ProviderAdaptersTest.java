package voipgateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import voipgateway.callbacks.TwilioSignatures;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Twilio and Exotel adapters (routes/providers/), each played by WireMock: accounts added through the API
 * (fields declared by the adapter, secret ones encrypted), the exact requests they send for a dial and a hang-up,
 * and their status callbacks applied to the call (Twilio's signature checked with the stored auth token).
 */
class ProviderAdaptersTest extends GatewayTestSupport {

    private static final String SID = "AC5f2b9c0d1e3a4b6c7d8e9f0a1b2c3d4e";
    private static final String AUTH_TOKEN = "twilio-auth-token-for-tests";
    private static final String TWILIO_DID = "+14155550100";
    private static final String CALLS = "/2010-04-01/Accounts/" + SID + "/Calls.json";
    private static final String EXOTEL_SID = "exotel-sid";
    private static final String EXOTEL_KEY = "exotel-api-key-for-tests";
    private static final String EXOTEL_TOKEN = "exotel-api-token-for-tests";
    private static final String CONNECT = "/v1/Accounts/" + EXOTEL_SID + "/Calls/connect.json";
    private static final String VOICE = "https://voice.example.com/agents/twiml";

    @Override
    protected Map<String, String> properties() {
        // a call's price looked up a second after its end, and a second later again
        return Map.of("voip.voice-url", VOICE, "voip.prices.lookup-delays-seconds", "1, 1");
    }

    @Override
    protected List<String> secrets() {
        List<String> secrets = new ArrayList<>(super.secrets());
        secrets.addAll(List.of(AUTH_TOKEN, EXOTEL_KEY, EXOTEL_TOKEN, basic(SID, AUTH_TOKEN),
                basic(EXOTEL_KEY, EXOTEL_TOKEN)));
        return secrets;
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Object> twilioAccount() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", "Twilio");
        body.put("accountSid", SID);
        body.put("authToken", AUTH_TOKEN);
        body.put("apiBaseUrl", pbxUrl(""));
        body.put("did", TWILIO_DID);
        return body;
    }

    private Map<String, Object> exotelAccount() {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("provider", "exotel");
        account.put("accountSid", EXOTEL_SID);
        account.put("apiKey", EXOTEL_KEY);
        account.put("apiToken", EXOTEL_TOKEN);
        account.put("apiBaseUrl", pbxUrl(""));
        account.put("did", "080-4000-0001");
        return account;
    }

    private void twilioAnswers() {
        pbx.stubFor(get(urlPathEqualTo("/2010-04-01/Accounts/" + SID + ".json")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"sid\":\"" + SID + "\"}")));
        pbx.stubFor(post(urlPathEqualTo(CALLS)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"sid\":\"CA42\",\"status\":\"queued\"}")));
        pbx.stubFor(post(urlPathEqualTo("/2010-04-01/Accounts/" + SID + "/Calls/CA42.json")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"CA42\",\"status\":\"completed\"}")));
    }

    private String addAndAssign(Map<String, Object> account) throws Exception {
        Response added = send("POST", "/voip/add-provider", account);
        assertEquals(201, added.status(), added.body());
        String numberId = added.json().at("/provider/dids/0/id").asText();
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT)).status());
        return added.json().at("/provider/id").asText();
    }

    @Test
    void aTwilioAccountIsCheckedStoredWithItsTokenEncryptedAndDialsWithTheCallsApi() throws Exception {
        twilioAnswers();
        String providerId = addAndAssign(twilioAccount());

        pbx.verify(1, anyRequestedFor(urlPathEqualTo("/2010-04-01/Accounts/" + SID + ".json"))
                .withHeader("Authorization", equalTo("Basic " + basic(SID, AUTH_TOKEN))));
        Document stored = db().getCollection("voipproviders").find(new Document("_id", new ObjectId(providerId)))
                .first();
        Document credentials = stored.get("credentials", Document.class);
        assertEquals(SID, credentials.getString("accountSid"));
        assertFalse(credentials.getString("authToken").contains(AUTH_TOKEN));
        assertEquals(List.of("authToken"), stored.getList("secretFields", String.class));
        Response listed = send("GET", "/voip/providers", null);
        assertTrue(listed.body().contains(SID), listed.body());

        pbx.resetRequests();
        Response placed = call("09000000001");
        assertEquals(201, placed.status(), placed.body());
        String callId = placed.json().get("id").asText();

        List<LoggedRequest> dials = pbx.findAll(postRequestedFor(urlPathEqualTo(CALLS)));
        assertEquals(1, dials.size());
        LoggedRequest dial = dials.get(0);
        assertEquals("Basic " + basic(SID, AUTH_TOKEN), dial.getHeader("Authorization"));
        assertTrue(dial.getHeader("Content-Type").startsWith("application/x-www-form-urlencoded"));
        assertEquals(sorted("To=+919000000001", "From=" + TWILIO_DID, "Url=" + VOICE,
                "StatusCallback=http://localhost:" + port + "/callbacks/twilio/status?call=" + callId + "&token="
                        + callbackToken("Twilio", callId),
                "StatusCallbackMethod=POST", "StatusCallbackEvent=initiated", "StatusCallbackEvent=ringing",
                "StatusCallbackEvent=answered", "StatusCallbackEvent=completed"), form(dial.getBodyAsString()));
        assertEquals("CA42", storedCall(callId).getString("providerCallId"));
        assertEquals("Twilio", storedCall(callId).getString("provider"));
    }

    @Test
    void twilioCallbacksForAnApiAddedAccountAreSignatureCheckedAndTheHangUpCompletesTheCall() throws Exception {
        twilioAnswers();
        addAndAssign(twilioAccount());
        String callId = call("09000000001").json().get("id").asText();
        String path = "/callbacks/twilio/status?call=" + callId + "&token=" + callbackToken("Twilio", callId);

        Map<String, Object> answered = Map.of("CallSid", "CA42", "CallStatus", "in-progress", "AccountSid", SID);
        assertEquals(403, postForm(path, answered, "bm90IGEgc2lnbmF0dXJl").status());
        assertEquals(403, postForm(path, answered, null).status());
        assertEquals("initiated", storedCall(callId).getString("status"));
        Response signed = postForm(path, answered, sign(path, answered));
        assertEquals(200, signed.status(), signed.body());
        assertEquals("answered", storedCall(callId).getString("status"));

        Response hangUp = send("POST", "/calls/" + callId + "/hangup", Map.of());
        assertEquals(202, hangUp.status(), hangUp.body());
        assertEquals(202, send("POST", "/calls/" + callId + "/hangup", Map.of()).status());
        List<LoggedRequest> hangUps = pbx.findAll(postRequestedFor(
                urlPathEqualTo("/2010-04-01/Accounts/" + SID + "/Calls/CA42.json")));
        assertEquals(1, hangUps.size(), "asked once");
        assertEquals(List.of("Status=completed"), form(hangUps.get(0).getBodyAsString()));
        assertEquals("Basic " + basic(SID, AUTH_TOKEN), hangUps.get(0).getHeader("Authorization"));

        Map<String, Object> completed = Map.of("CallSid", "CA42", "CallStatus", "completed", "CallDuration", "31",
                "AccountSid", SID);
        assertEquals(200, postForm(path, completed, sign(path, completed)).status());
        Document call = storedCall(callId);
        assertEquals("completed", call.getString("status"));
        assertEquals(31, call.getInteger("durationSeconds"));
        // asked after the end it caused: the same answer, Twilio not asked again
        assertEquals(202, send("POST", "/calls/" + callId + "/hangup", Map.of()).status());
        assertEquals(1, pbx.findAll(postRequestedFor(
                urlPathEqualTo("/2010-04-01/Accounts/" + SID + "/Calls/CA42.json"))).size());
    }

    /** Twilio's final event says how the call ended in SipResponseCode: a decline reported busy is rejected. */
    @Test
    void twilioSipResponseCodesGiveTheOutcomeAndTheCause() throws Exception {
        twilioAnswers();
        addAndAssign(twilioAccount());
        Map<String, Document> ended = new java.util.LinkedHashMap<>();
        for (String[] end : new String[][] {{"busy", "603"}, {"failed", "404"}, {"busy", "486"}, {"no-answer", ""}}) {
            String callId = call("09000000001").json().get("id").asText();
            String path = "/callbacks/twilio/status?call=" + callId + "&token=" + callbackToken("Twilio", callId);
            Map<String, Object> form = new java.util.LinkedHashMap<>(Map.of("CallSid", "CA42", "CallStatus", end[0],
                    "CallDuration", "0", "AccountSid", SID));
            if (!end[1].isEmpty()) {
                form.put("SipResponseCode", end[1]);
            }
            assertEquals(200, postForm(path, form, sign(path, form)).status());
            ended.put(end[0] + "/" + end[1], storedCall(callId));
        }
        Document declined = ended.get("busy/603");
        assertEquals("busy", declined.getString("status"));
        assertEquals("rejected", declined.getString("outcome"));
        assertEquals(603, declined.get("cause", Document.class).getInteger("sip"));
        assertEquals("busy", declined.get("cause", Document.class).getString("text"));
        assertTrue(declined.getBoolean("permanent"));
        assertEquals("failed", ended.get("failed/404").getString("outcome"));
        assertTrue(ended.get("failed/404").getBoolean("permanent"), "no such number: never dialled again");
        assertEquals("busy", ended.get("busy/486").getString("outcome"));
        assertNull(ended.get("busy/486").get("permanent"));
        assertEquals("no_answer", ended.get("no-answer/").getString("outcome"));
    }

    /**
     * Asynchronous answering-machine detection (Twilio's MachineDetection=Enable, AsyncAmd=true): asked for per call
     * or per agent, sent with the dial; the verdict (AnsweredBy, to the call's own signed URL) is stored and makes
     * an answered call's outcome machine, whether it comes before the end or after it.
     */
    @Test
    void twilioMachineDetectionIsAskedForAndItsVerdictGivesTheOutcome() throws Exception {
        twilioAnswers();
        addAndAssign(twilioAccount());
        pbx.resetRequests();
        String first = callWithKey("amd-1", Map.of("toPhone", "09000000001", "machineDetection", "detect"))
                .json().get("id").asText();
        String callback = "http://localhost:" + port + "/callbacks/twilio/status?call=" + first + "&token="
                + callbackToken("Twilio", first);
        List<String> dial = form(pbx.findAll(postRequestedFor(urlPathEqualTo(CALLS))).get(0).getBodyAsString());
        assertTrue(dial.containsAll(List.of("MachineDetection=Enable", "AsyncAmd=true",
                "AsyncAmdStatusCallback=" + callback, "AsyncAmdStatusCallbackMethod=POST")), dial.toString());
        assertEquals("detect", storedCall(first).getString("machineDetection"));

        // the verdict before the end: stored, the status as it was; then the end is the machine's
        String path = callback.substring(callback.indexOf("/callbacks"));
        Map<String, Object> verdict = Map.of("CallSid", "CA42", "AccountSid", SID, "AnsweredBy", "machine_end_beep",
                "MachineDetectionDuration", "2150");
        assertEquals(403, postForm(path, verdict, null).status(), "signed like every Twilio callback");
        Response reported = postForm(path, verdict, sign(path, verdict));
        assertEquals(200, reported.status(), reported.body());
        Document call = storedCall(first);
        assertEquals("initiated", call.getString("status"));
        assertEquals("machine", call.getString("machineVerdict"));
        assertEquals("machine_end_beep", call.getString("answeredBy"));
        assertEquals(2150, call.getInteger("machineDetectionMs"));
        Map<String, Object> completed = Map.of("CallSid", "CA42", "CallStatus", "completed", "CallDuration", "12",
                "SipResponseCode", "200", "AccountSid", SID);
        assertEquals(200, postForm(path, completed, sign(path, completed)).status());
        assertEquals("machine", storedCall(first).getString("outcome"));
        JsonNode shown = send("GET", "/calls/" + first, null).json();
        assertEquals("machine", shown.get("outcome").asText());
        assertEquals("machine", shown.get("machineVerdict").asText());
        assertEquals("machine_detection", shown.at("/statusHistory/0/report").asText());

        // the agent's own setting, and a verdict after the end: a person leaves the outcome answered, a fax not
        String numberId = db().getCollection("voipnumbers").find(new Document("phoneNumber", TWILIO_DID)).first()
                .getObjectId("_id").toHexString();
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT,
                "machineDetection", "detect")).status());
        for (String[] late : new String[][] {{"human", "answered"}, {"fax", "machine"}}) {
            pbx.resetRequests();
            String callId = callWithKey("amd-" + late[0], Map.of("toPhone", "09000000001")).json().get("id").asText();
            assertTrue(form(pbx.findAll(postRequestedFor(urlPathEqualTo(CALLS))).get(0).getBodyAsString())
                    .contains("MachineDetection=Enable"));
            String latePath = "/callbacks/twilio/status?call=" + callId + "&token=" + callbackToken("Twilio", callId);
            assertEquals(200, postForm(latePath, completed, sign(latePath, completed)).status());
            assertEquals("answered", storedCall(callId).getString("outcome"));
            Map<String, Object> after = Map.of("CallSid", "CA42", "AccountSid", SID, "AnsweredBy", late[0]);
            assertEquals(200, postForm(latePath, after, sign(latePath, after)).status());
            assertEquals(late[1], storedCall(callId).getString("outcome"), late[0]);
            assertEquals("completed", storedCall(callId).getString("status"));
        }
        // a call may still say off for itself
        pbx.resetRequests();
        callWithKey("amd-off", Map.of("toPhone", "09000000001", "machineDetection", "off"));
        assertFalse(pbx.findAll(postRequestedFor(urlPathEqualTo(CALLS))).get(0).getBodyAsString()
                .contains("MachineDetection"));
        Response wrong = callWithKey("amd-wrong", Map.of("toPhone", "09000000001", "machineDetection", "yes"));
        assertEquals(400, wrong.status());
        assertEquals("machineDetection", wrong.json().get("field").asText());
    }

    /**
     * Under a rule that retries every class it may: a decline (SIP 603, reported busy) and a number that does not
     * exist (404) are never dialled again; a machine's answer is retried as machine, and only while the rule says so.
     */
    @Test
    void aDeclineOrNoSuchNumberIsNeverRedialledAndAMachineFollowsItsOwnRetryClass() throws Exception {
        twilioAnswers();
        addAndAssign(twilioAccount());
        // callees where it is about noon: a retry 600 s later falls on the same day there, whenever the test runs
        String noon = java.time.ZoneOffset.ofHours(12 - java.time.LocalTime.now(java.time.ZoneOffset.UTC).getHour())
                .getId();
        try {
            retryOn(List.of("busy", "no-answer", "machine"));
            Map<String, String> reasons = new LinkedHashMap<>();
            for (String[] end : new String[][] {{"busy", "603", ""}, {"failed", "404", ""}, {"busy", "486", ""},
                {"completed", "200", "machine_end_silence"}, {"completed", "200", "human"}}) {
                String callId = callWithKey("retry-" + end[1] + end[2], Map.of("toPhone", "09000000001",
                        "calleeTimeZone", noon, "machineDetection", "detect")).json().get("id").asText();
                String path = "/callbacks/twilio/status?call=" + callId + "&token=" + callbackToken("Twilio", callId);
                if (!end[2].isEmpty()) {
                    Map<String, Object> verdict = Map.of("CallSid", "CA42", "AccountSid", SID, "AnsweredBy", end[2]);
                    assertEquals(200, postForm(path, verdict, sign(path, verdict)).status());
                }
                Map<String, Object> ended = Map.of("CallSid", "CA42", "CallStatus", end[0], "CallDuration", "0",
                        "SipResponseCode", end[1], "AccountSid", SID);
                assertEquals(200, postForm(path, ended, sign(path, ended)).status());
                Document retry = db().getCollection("calls").find(new Document("retryOf", new ObjectId(callId))).first();
                reasons.put(end[0] + "/" + end[1] + "/" + end[2], retry == null ? "none" : retry.getString("reason"));
            }
            assertEquals(Map.of("busy/603/", "none", "failed/404/", "none", "busy/486/", "retry_busy",
                    "completed/200/machine_end_silence", "retry_machine", "completed/200/human", "none"), reasons);

            retryOn(List.of("busy"));
            String callId = callWithKey("retry-machine-off", Map.of("toPhone", "09000000001", "calleeTimeZone", noon,
                    "machineDetection", "detect")).json().get("id").asText();
            String path = "/callbacks/twilio/status?call=" + callId + "&token=" + callbackToken("Twilio", callId);
            Map<String, Object> ended = Map.of("CallSid", "CA42", "CallStatus", "completed", "CallDuration", "9",
                    "AccountSid", SID);
            assertEquals(200, postForm(path, ended, sign(path, ended)).status());
            Map<String, Object> verdict = Map.of("CallSid", "CA42", "AccountSid", SID, "AnsweredBy", "machine_start");
            assertEquals(200, postForm(path, verdict, sign(path, verdict)).status());
            assertEquals("machine", storedCall(callId).getString("outcome"));
            assertEquals(0, db().getCollection("calls").countDocuments(new Document("retryOf", new ObjectId(callId))));
        } finally {
            retryOn(List.of());
        }
    }

    private void retryOn(List<String> classes) throws Exception {
        Response set = send("PUT", "/calling-rules", Map.of("retries", Map.of("on", classes, "delaySeconds", 600,
                "maxAttemptsPerDay", 3)));
        assertEquals(200, set.status(), set.body());
    }

    /**
     * A recorded Twilio call: asked for with the dial (Record, RecordingStatusCallback), reported by its signed
     * recording callback, and passed on by GET /calls/{id}/recording with the account's credentials, which the client
     * never sees, nor where Twilio keeps it; the credentials go to the account's own API host only.
     */
    @Test
    void aTwilioRecordingIsReportedAndPassedOnWithoutTheCredentialsOrItsUrl() throws Exception {
        twilioAnswers();
        addAndAssign(twilioAccount());
        byte[] audio = voipgateway.demo.DemoAudio.wav();
        String recordingPath = "/2010-04-01/Accounts/" + SID + "/Recordings/RE7a1c9e2f4b6d8a0c2e4f6a8b0c2d4e6f";
        pbx.stubFor(get(urlPathEqualTo(recordingPath)).withBasicAuth(SID, AUTH_TOKEN).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "audio/x-wav").withHeader("Set-Cookie", "tw=1")
                .withHeader("x-amz-request-id", "leak").withBody(audio)));
        pbx.resetRequests();
        String callId = callWithKey("rec-1", Map.of("toPhone", "09000000001", "record", true)).json().get("id")
                .asText();
        String callback = "http://localhost:" + port + "/callbacks/twilio/status?call=" + callId + "&token="
                + callbackToken("Twilio", callId);
        List<String> dial = form(pbx.findAll(postRequestedFor(urlPathEqualTo(CALLS))).get(0).getBodyAsString());
        assertTrue(dial.containsAll(List.of("Record=true", "RecordingStatusCallback=" + callback,
                "RecordingStatusCallbackMethod=POST", "RecordingStatusCallbackEvent=completed")), dial.toString());

        String path = callback.substring(callback.indexOf("/callbacks"));
        assertEquals(404, send("GET", "/calls/" + callId + "/recording", null).status(), "none reported yet");
        Map<String, Object> recorded = Map.of("CallSid", "CA42", "AccountSid", SID, "RecordingSid",
                "RE7a1c9e2f4b6d8a0c2e4f6a8b0c2d4e6f", "RecordingUrl", pbxUrl(recordingPath), "RecordingStatus",
                "completed", "RecordingDuration", "31");
        assertEquals(200, postForm(path, recorded, sign(path, recorded)).status());
        assertEquals(31, storedCall(callId).getInteger("recordingSeconds"));

        Response shown = send("GET", "/calls/" + callId, null);
        assertEquals("/calls/" + callId + "/recording", shown.json().at("/recording/url").asText());
        assertFalse(shown.body().contains(recordingPath), "where Twilio keeps it is never shown: " + shown.body());
        java.net.http.HttpResponse<byte[]> fetched = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(uri("/calls/" + callId + "/recording"))
                        .header("Authorization", "Bearer " + API_KEY).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        org.junit.jupiter.api.Assertions.assertArrayEquals(audio, fetched.body(), "the audio, as Twilio gave it");
        assertEquals(java.util.Set.of("content-type", "content-disposition", "cache-control", "content-length"),
                fetched.headers().map().keySet().stream().filter(name -> !name.startsWith(":"))
                        .collect(java.util.stream.Collectors.toSet()), "only the headers we chose");
        assertEquals("audio/x-wav", fetched.headers().firstValue("content-type").orElseThrow());
        assertEquals("attachment; filename=\"" + callId + ".wav\"",
                fetched.headers().firstValue("content-disposition").orElseThrow());
        pbx.verify(1, anyRequestedFor(urlPathEqualTo(recordingPath))
                .withHeader("Authorization", equalTo("Basic " + basic(SID, AUTH_TOKEN))));

        // kept on another host than the account's API (another port): fetched, the credentials left at home
        com.sun.net.httpserver.HttpServer elsewhere = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
        elsewhere.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.getResponseHeaders().add("Content-Type", "audio/mpeg");
            exchange.sendResponseHeaders(200, audio.length);
            exchange.getResponseBody().write(audio);
            exchange.close();
        });
        elsewhere.start();
        try {
            String other = "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/r.mp3";
            db().getCollection("calls").updateOne(new Document("_id", new ObjectId(callId)),
                    new Document("$set", new Document("recordingUrl", other)));
            Response moved = send("GET", "/calls/" + callId + "/recording", null);
            assertEquals(200, moved.status());
            assertEquals(List.of("audio/mpeg"), moved.headers().get("content-type"));
            assertEquals(List.of("null"), authorizations);
        } finally {
            elsewhere.stop(0);
        }
        // reported at an internal address: refused, nothing fetched
        db().getCollection("calls").updateOne(new Document("_id", new ObjectId(callId)),
                new Document("$set", new Document("recordingUrl", "http://10.1.2.3/r.wav")));
        Response internal = send("GET", "/calls/" + callId + "/recording", null);
        assertEquals(502, internal.status(), internal.body());
        assertEquals("recording", internal.json().get("field").asText());
        assertFalse(internal.body().contains("10.1.2.3"), internal.body());
        // the provider no longer has it: 404; another tenant's call: 404 as if it did not exist
        db().getCollection("calls").updateOne(new Document("_id", new ObjectId(callId)),
                new Document("$set", new Document("recordingUrl", pbxUrl("/gone.wav"))));
        assertEquals(404, send("GET", "/calls/" + callId + "/recording", null).status());
        assertEquals(404, send("GET", "/calls/" + new ObjectId().toHexString() + "/recording", null).status());
    }

    /** SansPBX records by its account's settings: a call asking to be recorded there is refused, naming it. */
    @Test
    void aRecordingAskedOfAProviderThatRecordsByItsSettingsIsRefused() throws Exception {
        lineThatDials("jwt-1", "9");
        pbx.resetRequests();
        Response refused = callWithKey("rec-sanspbx", Map.of("toPhone", "09000000001", "record", true));
        assertEquals(422, refused.status(), refused.body());
        assertEquals("record", refused.json().get("field").asText());
        assertTrue(refused.json().get("message").asText().contains("SansPBX"), refused.body());
        pbx.verify(0, anyRequestedFor(anyUrl()));
    }

    /**
     * Twilio prices a call minutes after its end: its resource's price is null at the first lookup and there at the
     * next; stored on the call and in the day's usage. Exotel's call details carry Price, in rupees.
     */
    @Test
    void aLatePriceIsLookedUpStoredAndCountedInTheDay() throws Exception {
        twilioAnswers();
        String resource = "/2010-04-01/Accounts/" + SID + "/Calls/CA42.json";
        pbx.stubFor(get(urlPathEqualTo(resource)).inScenario("price").whenScenarioStateIs(
                com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willSetStateTo("priced").willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"CA42\",\"status\":\"completed\",\"price\":null,\"price_unit\":\"USD\"}")));
        pbx.stubFor(get(urlPathEqualTo(resource)).inScenario("price").whenScenarioStateIs("priced").willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"CA42\",\"status\":\"completed\",\"price\":\"-0.02600\",\"price_unit\":\"USD\"}")));
        addAndAssign(twilioAccount());
        String callId = call("09000000001").json().get("id").asText();
        String path = "/callbacks/twilio/status?call=" + callId + "&token=" + callbackToken("Twilio", callId);
        Map<String, Object> completed = Map.of("CallSid", "CA42", "CallStatus", "completed", "CallDuration", "61",
                "AccountSid", SID);
        assertEquals(200, postForm(path, completed, sign(path, completed)).status());

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> storedCall(callId).get("priceMicros") != null);
        assertEquals(26_000L, storedCall(callId).getLong("priceMicros"));
        pbx.verify(2, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo(resource))
                .withHeader("Authorization", equalTo("Basic " + basic(SID, AUTH_TOKEN))));
        assertEquals("0.026", send("GET", "/calls/" + callId, null).json().at("/price/amount").asText());
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        JsonNode usage = send("GET", "/usage?from=" + today + "&to=" + today + "&groupBy=provider", null).json();
        assertEquals(1, usage.at("/total/calls").asInt(), usage.toString());
        assertEquals(1, usage.at("/total/answered").asInt());
        assertEquals(61, usage.at("/total/billedSeconds").asInt());
        assertEquals("0.026", usage.at("/total/cost/USD").asText());
        assertEquals("Twilio", usage.at("/groups/0/provider").asText());
        // the same end reported again counts nothing more
        assertEquals(200, postForm(path, completed, sign(path, completed)).status());
        assertEquals(1, send("GET", "/usage?from=" + today + "&to=" + today, null).json().at("/total/calls").asInt());
    }

    @Test
    void anExotelCallIsPricedFromItsDetails() throws Exception {
        pbx.stubFor(get(urlPathEqualTo("/v1/Accounts/" + EXOTEL_SID + ".json")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"Account\":{}}")));
        pbx.stubFor(post(urlPathEqualTo(CONNECT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"Call\":{\"Sid\":\"exo-90\"}}")));
        String details = "/v1/Accounts/" + EXOTEL_SID + "/Calls/exo-90.json";
        pbx.stubFor(get(urlPathEqualTo(details)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"Call\":{\"Sid\":\"exo-90\",\"Status\":\"completed\",\"Price\":\"1.500\"}}")));
        addAndAssign(exotelAccount());
        String callId = call("09000000001").json().get("id").asText();
        assertEquals(200, postForm("/callbacks/exotel/status?call=" + callId + "&token=" + callbackToken("Exotel", callId),
                Map.of("CallSid", "exo-90", "Status", "completed", "ConversationDuration", "45"), null).status());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> storedCall(callId).get("priceMicros") != null);
        assertEquals(1_500_000L, storedCall(callId).getLong("priceMicros"));
        assertEquals("INR", storedCall(callId).getString("priceCurrency"));
        pbx.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo(details))
                .withHeader("Authorization", equalTo("Basic " + basic(EXOTEL_KEY, EXOTEL_TOKEN))));
    }

    /** Exotel has no machine detection: asking for it is a 422 naming the provider, and nothing is dialled or kept. */
    @Test
    void machineDetectionWhereTheProviderHasNoneIsRefusedNamingIt() throws Exception {
        pbx.stubFor(get(urlPathEqualTo("/v1/Accounts/" + EXOTEL_SID + ".json")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"Account\":{}}")));
        addAndAssign(exotelAccount());
        pbx.resetRequests();

        Response refused = callWithKey("amd-exotel", Map.of("toPhone", "09000000001", "machineDetection", "detect"));
        assertEquals(422, refused.status(), refused.body());
        assertEquals("machineDetection", refused.json().get("field").asText());
        assertTrue(refused.json().get("message").asText().contains("Exotel"), refused.body());
        pbx.verify(0, anyRequestedFor(anyUrl()));
        assertEquals(0, db().getCollection("calls").countDocuments());
    }

    @Test
    void aTwilioAccountIsRefusedWhenTwilioRefusesItOrAFieldIsMissingOrUnknown() throws Exception {
        pbx.stubFor(get(urlPathEqualTo("/2010-04-01/Accounts/" + SID + ".json")).willReturn(aResponse()
                .withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"code\":20003,\"message\":\"Authenticate\",\"status\":401}")));
        Response refused = send("POST", "/voip/add-provider", twilioAccount());
        assertEquals(400, refused.status(), refused.body());
        assertEquals("invalid_credentials", refused.json().get("error").asText());

        Map<String, Object> missing = twilioAccount();
        missing.remove("authToken");
        Response noToken = send("POST", "/voip/add-provider", missing);
        assertEquals(400, noToken.status());
        assertEquals("authToken", noToken.json().get("field").asText());

        Map<String, Object> sansPbxField = twilioAccount();
        sansPbxField.put("appId", "6");
        assertEquals("appId", send("POST", "/voip/add-provider", sansPbxField).json().get("field").asText());

        Map<String, Object> unknown = twilioAccount();
        unknown.put("provider", "Plivo");
        Response notLoaded = send("POST", "/voip/add-provider", unknown);
        assertEquals(400, notLoaded.status());
        assertTrue(notLoaded.body().contains("Exotel, SansPBX, Twilio"), notLoaded.body());
        assertEquals(0, db().getCollection("voipproviders").countDocuments());
    }

    @Test
    void anExotelAccountDialsWithCallsConnectAndItsCallbacksEndTheCall() throws Exception {
        pbx.stubFor(get(urlPathEqualTo("/v1/Accounts/" + EXOTEL_SID + ".json")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"Account\":{}}")));
        pbx.stubFor(post(urlPathEqualTo(CONNECT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"Call\":{\"Sid\":\"exo-77\",\"Status\":\"in-progress\"}}")));
        addAndAssign(exotelAccount());
        pbx.resetRequests();

        Response placed = call("+91 90000 00001");
        assertEquals(201, placed.status(), placed.body());
        String callId = placed.json().get("id").asText();
        List<LoggedRequest> dials = pbx.findAll(postRequestedFor(urlPathEqualTo(CONNECT)));
        assertEquals(1, dials.size());
        assertEquals("Basic " + basic(EXOTEL_KEY, EXOTEL_TOKEN), dials.get(0).getHeader("Authorization"));
        String callback = "http://localhost:" + port + "/callbacks/exotel/status?call=" + callId + "&token="
                + callbackToken("Exotel", callId);
        assertEquals(sorted("From=09000000001", "CallerId=080-4000-0001", "Url=" + VOICE, "CustomField=" + callId,
                "StatusCallback=" + callback, "StatusCallbackEvents[0]=terminal"),
                form(dials.get(0).getBodyAsString()));
        assertEquals("exo-77", storedCall(callId).getString("providerCallId"));

        // Exotel offers no hang-up: refused, nothing sent, nothing recorded
        pbx.resetRequests();
        Response hangUp = send("POST", "/calls/" + callId + "/hangup", Map.of());
        assertEquals(502, hangUp.status(), hangUp.body());
        pbx.verify(0, anyRequestedFor(anyUrl()));
        assertNull(storedCall(callId).get("hangupRequestedAt"));

        Response reported = postForm(callback.substring(callback.indexOf("/callbacks")),
                Map.of("CallSid", "exo-77", "Status", "no-answer", "ConversationDuration", "0"), null);
        assertEquals(200, reported.status(), reported.body());
        assertEquals("no-answer", storedCall(callId).getString("status"));
        // Exotel's Status is its only word on the end: the outcome follows it, its text the cause
        assertEquals("no_answer", storedCall(callId).getString("outcome"));
        assertEquals(new Document("text", "no-answer"), storedCall(callId).get("cause", Document.class));

        // recorded on request (Record=true); its RecordingUrl comes with the end, and is passed on
        pbx.stubFor(get(urlPathEqualTo("/exotel/recordings/exo-78.mp3")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "audio/mpeg").withBody(new byte[] {73, 68, 51})));
        pbx.resetRequests();
        String recorded = callWithKey("exotel-rec", Map.of("toPhone", "09000000002", "record", true)).json().get("id")
                .asText();
        assertTrue(form(pbx.findAll(postRequestedFor(urlPathEqualTo(CONNECT))).get(0).getBodyAsString())
                .contains("Record=true"));
        String recordedPath = "/callbacks/exotel/status?call=" + recorded + "&token=" + callbackToken("Exotel", recorded);
        assertEquals(200, postForm(recordedPath, Map.of("CallSid", "exo-77", "Status", "completed",
                "ConversationDuration", "40", "RecordingUrl", pbxUrl("/exotel/recordings/exo-78.mp3")), null).status());
        Response audio = send("GET", "/calls/" + recorded + "/recording", null);
        assertEquals(200, audio.status());
        assertEquals("ID3", audio.body());
        assertEquals(List.of("attachment; filename=\"" + recorded + ".mp3\""), audio.headers().get("content-disposition"));
        pbx.verify(1, anyRequestedFor(urlPathEqualTo("/exotel/recordings/exo-78.mp3"))
                .withHeader("Authorization", equalTo("Basic " + basic(EXOTEL_KEY, EXOTEL_TOKEN))));

        // DialCallStatus says how the lead's leg ended, more precisely than Status
        String legBusy = callWithKey("exotel-leg", Map.of("toPhone", "09000000003")).json().get("id").asText();
        assertEquals(200, postForm("/callbacks/exotel/status?call=" + legBusy + "&token=" + callbackToken("Exotel",
                legBusy), Map.of("CallSid", "exo-77", "Status", "failed", "DialCallStatus", "busy"), null).status());
        assertEquals("failed", storedCall(legBusy).getString("status"));
        assertEquals("busy", storedCall(legBusy).getString("outcome"));
        assertEquals(new Document("code", "busy").append("text", "failed"), storedCall(legBusy).get("cause",
                Document.class));
    }

    /**
     * A Twilio call's callback URL (its token, or a token of the kind that bound the call id alone) posted to the
     * SansPBX or Exotel path, which check no Twilio signature: 403, and the call is as it was.
     */
    @Test
    void aTwilioCallTakesNoCallbackThroughAnotherProvidersPath() throws Exception {
        twilioAnswers();
        addAndAssign(twilioAccount());
        String callId = call("09000000001").json().get("id").asText();
        String callIdOnly = new voipgateway.crypto.CredentialCipher(KEY).fingerprint("callback-token", callId)
                .substring(0, 32);

        for (String token : List.of(callbackToken("Twilio", callId), callIdOnly)) {
            String query = "?call=" + callId + "&token=" + token;
            Response sansPbx = send("POST", "/callbacks/sanspbx/status" + query, Map.of("Linkedid", "CA42",
                    "disposition", "BUSY", "custom_field", Map.of("record_id", callId)));
            assertEquals(403, sansPbx.status(), sansPbx.body());
            Response exotel = postForm("/callbacks/exotel/status" + query,
                    Map.of("CallSid", "CA42", "Status", "canceled"), null);
            assertEquals(403, exotel.status(), exotel.body());
        }

        Document call = storedCall(callId);
        assertEquals("initiated", call.getString("status"));
        assertTrue(call.getList("statusHistory", Document.class, List.of()).isEmpty());
        assertEquals(0, db().getCollection("orphancallbacks").countDocuments());
    }

    /**
     * Account ids go into provider URLs: a value outside the adapter's declared format (space, quote, '<', '|',
     * a placeholder, an escaped '/' or CR/LF) is a 400 naming the field, at once, and nothing is sent or stored.
     */
    @Test
    void anAccountIdOutsideItsDeclaredFormatIs400NamingTheField() throws Exception {
        twilioAnswers();
        for (String sid : List.of("AC5f2b9c0d1e3a4b6c7d8e9f0a1b2c3d4 ", "AC\"", "AC<script>", "AC|x", "${sys:user.home}",
                "AC5f2b9c0d1e3a4b6c7d8e9f0a1b2c3d4e%0D%0AX-Injected: yes")) {
            Map<String, Object> account = twilioAccount();
            account.put("accountSid", sid);
            long started = System.nanoTime();
            Response refused = send("POST", "/voip/add-provider", account);
            assertEquals(400, refused.status(), sid + ": " + refused.body());
            assertEquals("accountSid", refused.json().get("field").asText(), refused.body());
            assertTrue(System.nanoTime() - started < 1_000_000_000L, "answered within a second");
        }
        for (String sid : List.of("exo3%2F..%2F..%2Fsecret", "exo3/../secret", "exo 3", "exo3\r\nX-Injected: yes")) {
            Map<String, Object> account = exotelAccount();
            account.put("accountSid", sid);
            Response refused = send("POST", "/voip/add-provider", account);
            assertEquals(400, refused.status(), sid + ": " + refused.body());
            assertEquals("accountSid", refused.json().get("field").asText(), refused.body());
        }
        Map<String, Object> controlInSecret = twilioAccount();
        controlInSecret.put("authToken", "token\u0000with-nul");
        assertEquals("authToken", send("POST", "/voip/add-provider", controlInSecret).json().get("field").asText());

        pbx.verify(0, anyRequestedFor(anyUrl()));
        assertEquals(0, db().getCollection("voipproviders").countDocuments());
        assertTrue(capturedLogs().lines().noneMatch(line -> line.startsWith("X-Injected")), "no forged log line");
    }

    // --- helpers ---


    /** A form body as decoded name=value pairs, sorted (the adapter sends them in name order). */
    private static List<String> form(String body) {
        return List.of(body.split("&")).stream().map(pair -> java.net.URLDecoder.decode(pair, StandardCharsets.UTF_8))
                .sorted().toList();
    }

    private static List<String> sorted(String... pairs) {
        return List.of(pairs).stream().sorted().toList();
    }

    private String sign(String path, Map<String, Object> form) {
        return TwilioSignatures.sign(AUTH_TOKEN, "http://localhost:" + port + path, form);
    }
}

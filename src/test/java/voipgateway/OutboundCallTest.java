package voipgateway;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /calls/outbound against SansPBX played by WireMock: the exact requests, and how tokens are reused. */
class OutboundCallTest extends GatewayTestSupport {

    private static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String DISCONNECT = "/pbxadmin/sanpbxapi/calldisconnect";
    private static final String VOICE_URL = "https://voice.example.com/agents/webhook";

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.voice-url", VOICE_URL);
    }

    private static String kolkataTimeIn(long minutes) {
        return EXPIRY.format(LocalDateTime.now(ZoneId.of("Asia/Kolkata")).plusMinutes(minutes));
    }

    @Test
    void sendsTheSpecsGentokenAndDialcallRequestsAndStoresTheCall() throws Exception {
        pbxIssuesToken("jwt-1", kolkataTimeIn(30));
        pbxDials("{\"status\":\"success\",\"call_id\":\"12345\"}");
        Response added = send("POST", "/voip/add-provider", providerBody());
        assertEquals(201, added.status(), added.body());
        assertEquals(200, send("PUT", "/voip/assign-number/" + added.json().at("/provider/dids/0/id").asText(),
                Map.of("agentId", AGENT)).status());

        Response response = call("+91 90000 00001");

        assertEquals(201, response.status(), response.body());
        JsonNode call = response.json();
        String callId = call.get("id").asText();
        assertEquals("initiated", call.get("status").asText());
        assertEquals("12345", call.get("providerCallId").asText());
        assertEquals(DID, call.get("did").asText());
        assertEquals("SansPBX", call.get("provider").asText());

        // one gentoken for adding the account and placing its first call: the credential check's token is reused
        pbx.verify(1, postRequestedFor(urlPathEqualTo(GENTOKEN)));
        pbx.verify(1, postRequestedFor(urlPathEqualTo(GENTOKEN))
                .withHeader("Accesstoken", equalTo(ACCESS_TOKEN))
                // Basic base64("demo-user:Demo@&1234!#"), exactly as the integration guide shows it
                .withHeader("Authorization", equalTo("Basic ZGVtby11c2VyOkRlbW9AJjEyMzQhIw=="))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"access_key\": \"demo-access-key\"}")));
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL))
                .withHeader("Apitoken", equalTo("jwt-1"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"appid\": 6, \"call_to\": \"09000000001\", \"caller_id\": \"6000001\","
                        + " \"custom_field\": {\"callback_url\": \"" + VOICE_URL + "\","
                        + " \"status_callback\": \"" + callbackUrl(callId) + "\","
                        + " \"record_id\": \"" + callId + "\"}}")));
        LoggedRequest dial = pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))).get(0);
        assertTrue(JSON.readTree(dial.getBodyAsString()).get("appid").isNumber(), "appid is sent as a number");
        assertEquals(null, dial.getHeader("Authorization"), "nothing of the client's request leaks to the PBX");

        Document stored = db().getCollection("calls").find(new Document("_id", new ObjectId(callId))).first();
        assertNotNull(stored);
        assertEquals(AGENT, stored.getString("agentId"));
        assertEquals(LEAD, stored.getString("leadId"));
        assertEquals("+91 90000 00001", stored.getString("toPhone"));
        assertEquals(DID, stored.getString("did"));
        assertEquals("SansPBX", stored.getString("provider"));
        assertEquals("12345", stored.getString("providerCallId"));
        assertEquals("initiated", stored.getString("status"));
        assertNotNull(stored.getDate("createdAt"));
        assertNotNull(stored.getDate("initiatedAt"));

        Response fetched = send("GET", "/calls/" + callId, null);
        assertEquals(200, fetched.status());
        assertEquals("initiated", fetched.json().get("status").asText());
    }

    /** The status callback URL carries the call id and its HMAC token. */
    private String callbackUrl(String callId) {
        String token = callbackToken(callId);
        assertEquals(32, token.length());
        return "http://localhost:" + port + "/callbacks/sanspbx/status?call=" + callId + "&token=" + token;
    }

    @Test
    void anAgentsOwnVoiceUrlIsSentInsteadOfTheServices() throws Exception {
        pbxIssuesToken("jwt-1", kolkataTimeIn(30));
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        String numberId = providerWithAgent();
        String agentsOwn = "https://voice.example.com/agents/" + AGENT + "?lang=hi";
        Response assigned = send("PUT", "/voip/assign-number/" + numberId,
                Map.of("agentId", AGENT, "voiceUrl", agentsOwn));
        assertEquals(agentsOwn, assigned.json().at("/number/voiceUrl").asText(), assigned.body());

        assertEquals(201, call("09000000001").status());
        Response badUrl = send("PUT", "/voip/assign-number/" + numberId,
                Map.of("agentId", AGENT, "voiceUrl", "ftp://nowhere"));
        assertEquals(400, badUrl.status(), badUrl.body());
        assertEquals("voiceUrl", badUrl.json().get("field").asText());
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT)).status());
        assertEquals(201, call("09000000002").status());

        List<LoggedRequest> dials = pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(agentsOwn, JSON.readTree(dials.get(0).getBodyAsString()).at("/custom_field/callback_url").asText());
        assertEquals(VOICE_URL, JSON.readTree(dials.get(1).getBodyAsString()).at("/custom_field/callback_url").asText(),
                "assigned again without one: the service's voice URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+91 90000 00001", "919000000001", "09000000001", "9000000001", "+91-90000-00001"})
    void dialsEveryWritingOfTheNumberAsZeroPlusTenDigits(String toPhone) throws Exception {
        pbxIssuesToken("jwt-1", kolkataTimeIn(30));
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        providerWithAgent();

        assertEquals(201, call(toPhone).status());

        pbx.verify(postRequestedFor(urlPathEqualTo(DIALCALL))
                .withRequestBody(equalToJson("{\"call_to\": \"09000000001\"}", true, true)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"status\":\"success\",\"callid\":\"777\"}",
            "{\"status\":\"success\",\"data\":{\"callid\":777}}",
            "{\"status\":\"success\",\"msg\":{\"callid\":\"777\"}}"})
    void acceptsTheCallIdOfEveryPbxVersion(String answer) throws Exception {
        pbxIssuesToken("jwt-1", kolkataTimeIn(30));
        pbxDials(answer);
        providerWithAgent();

        Response response = call("09000000001");

        assertEquals(201, response.status(), response.body());
        assertEquals("777", response.json().get("providerCallId").asText());
    }

    @Test
    void reusesOneTokenAcrossCallsUntilItExpires() throws Exception {
        pbxIssuesToken("jwt-1", kolkataTimeIn(30));
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        providerWithAgent();

        for (int i = 0; i < 5; i++) {
            assertEquals(201, call("09000000001").status());
        }

        // the token add-provider's check was given serves every call
        pbx.verify(0, postRequestedFor(urlPathEqualTo(GENTOKEN)));
        pbx.verify(5, postRequestedFor(urlPathEqualTo(DIALCALL)).withHeader("Apitoken", equalTo("jwt-1")));
    }

    @Test
    void readsExpiryTimeInTheAccountsZoneAndRefreshesAnExpiredToken() throws Exception {
        // this wall-clock time read in UTC would lie 2 hours ahead; read in Asia/Kolkata it is 3.5 hours past
        String expiredInKolkata = EXPIRY.format(LocalDateTime.now(ZoneOffset.UTC).plusHours(2));
        pbxIssuesToken("jwt-old", expiredInKolkata);
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        providerWithAgent();

        assertEquals(201, call("09000000001").status());
        assertEquals(201, call("09000000001").status());

        pbx.verify(2, postRequestedFor(urlPathEqualTo(GENTOKEN)));
    }

    @Test
    void refreshesTheTokenAndRetriesOnceWhenDialcallSays401() throws Exception {
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withBody("{\"status\":\"success\",\"Apitoken\":\"jwt-revoked\","
                        + "\"expiry_time\":\"" + kolkataTimeIn(30) + "\"}"))
                .willSetStateTo("second"));
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).inScenario("tokens").whenScenarioStateIs("second")
                .willReturn(aResponse().withBody("{\"status\":\"success\",\"Apitoken\":\"jwt-fresh\","
                        + "\"expiry_time\":\"" + kolkataTimeIn(30) + "\"}")));
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).withHeader("Apitoken", equalTo("jwt-revoked"))
                .willReturn(aResponse().withStatus(401).withBody("{\"status\":\"error\",\"message\":\"Token expired\"}")));
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).withHeader("Apitoken", equalTo("jwt-fresh"))
                .willReturn(aResponse().withBody("{\"status\":\"success\",\"call_id\":\"55\"}")));
        // add-provider's check is given jwt-revoked, which the first dial uses
        providerWithAgent();

        Response response = call("09000000001");

        assertEquals(201, response.status(), response.body());
        assertEquals("55", response.json().get("providerCallId").asText());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(GENTOKEN)));
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)).withHeader("Apitoken", equalTo("jwt-revoked")));
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)).withHeader("Apitoken", equalTo("jwt-fresh")));
    }

    @Test
    void a401AfterTheRetryIsAProviderRefusal() throws Exception {
        pbxIssuesToken("jwt-1", kolkataTimeIn(30));
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withStatus(401)
                .withBody("{\"status\":\"error\",\"message\":\"Unauthorized\"}")));
        providerWithAgent();

        Response response = call("09000000001");

        assertEquals(502, response.status(), response.body());
        assertEquals("provider_auth_failed", response.json().get("error").asText());
        assertTrue(response.json().get("message").asText().contains("Dial call failed (provider answered HTTP 401)"));
        pbx.verify(2, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void concurrentCallsShareOneTokenRefresh() throws Exception {
        // add-provider's check is given a token that has already expired; the refresh is slow
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withBody("{\"status\":\"success\",\"Apitoken\":\"jwt-old\","
                        + "\"expiry_time\":\"" + kolkataTimeIn(-5) + "\"}"))
                .willSetStateTo("refresh"));
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).inScenario("tokens").whenScenarioStateIs("refresh")
                .willReturn(aResponse().withFixedDelay(300).withBody("{\"status\":\"success\",\"Apitoken\":\"jwt-1\","
                        + "\"expiry_time\":\"" + kolkataTimeIn(30) + "\"}")));
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        providerWithAgent();

        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(pool.submit(() -> call("09000000001")));
            }
            for (Future<Response> f : calls) {
                assertEquals(201, f.get().status(), f.get().body());
            }
        } finally {
            pool.shutdown();
        }

        pbx.verify(1, postRequestedFor(urlPathEqualTo(GENTOKEN)));
        pbx.verify(16, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void aCallbackThatOvertakesTheDialAnswerKeepsItsStatusAndTheAnswerIsStoredToo() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(1500)
                .withBody("{\"status\":\"success\",\"call_id\":\"4711\"}")));
        providerWithAgent();

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Response> placed = pool.submit(() -> callWithKey("overtaken", "09000000001"));
            // the PBX has the dial and reports the call answered before its dialcall answer arrives
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))).isEmpty());
            String callId = JSON.readTree(pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))).get(0).getBodyAsString())
                    .at("/custom_field/record_id").asText();
            Response answered = send("POST", "/callbacks/sanspbx/status?call=" + callId + "&token="
                    + callbackToken(callId), Map.of("Linkedid", "4711", "disposition", "ANSWER", "duration", "10",
                    "billsec", "8", "end_time", "2026-02-14 15:36:08", "custom_field", Map.of("record_id", callId)));
            assertEquals(200, answered.status(), answered.body());

            Response call = placed.get();
            assertEquals(201, call.status(), call.body());
            assertEquals("completed", call.json().get("status").asText(), "the callback's newer status stands");
            assertEquals("4711", call.json().get("providerCallId").asText());
            Document stored = db().getCollection("calls").find(new Document("_id", new ObjectId(callId))).first();
            assertEquals("completed", stored.getString("status"));
            assertEquals(1, stored.getList("statusHistory", Document.class).size());
            assertTrue(stored.get("claim") == null, "the ledger entry is settled");
            assertEquals(call.body(), callWithKey("overtaken", "09000000001").body(), "the same answer again");
            pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aRefusedDialIs502AndTheCallIsStoredAsFailedWithTheReason() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"failed\",\"message\":\"Insufficient balance\"}");
        providerWithAgent();

        Response response = call("09000000001");

        assertEquals(502, response.status(), response.body());
        assertEquals("provider_refused", response.json().get("error").asText());
        assertEquals("SansPBX: Dial call failed: the answer's status is not success (provider answered HTTP 200)",
                response.json().get("message").asText(), "the provider's words are kept for diagnosis, not answered");
        Document stored = db().getCollection("calls").find().first();
        assertEquals("failed", stored.getString("status"));
        assertTrue(stored.getString("failureReason").contains("Insufficient balance"));
        assertEquals(AGENT, stored.getString("agentId"));
    }

    @Test
    void aRefusedTokenDuringACallIs502() throws Exception {
        pbxIssuesToken("jwt-1", "2000-01-01 00:00:00");
        providerWithAgent();
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withStatus(403)
                .withBody("{\"status\":\"error\",\"message\":\"Account suspended\"}")));

        Response response = call("09000000001");

        assertEquals(502, response.status(), response.body());
        assertEquals("provider_auth_failed", response.json().get("error").asText());
        assertTrue(response.json().get("message").asText().contains("Token generation error (provider answered HTTP 403)"));
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals("failed", db().getCollection("calls").find().first().getString("status"));
    }

    /** POST /calls/{id}/hangup asks SansPBX's calldisconnect with the call's id and the account's token. */
    @Test
    void aHangUpAsksCalldisconnectWithTheCallsIdAndARefusalKeepsThePbxsWordsOutOfTheAnswer() throws Exception {
        lineThatDials("jwt-1", "12345");
        Response placed = call("09000000001");
        assertEquals(201, placed.status(), placed.body());
        String callId = placed.json().get("id").asText();
        pbx.stubFor(post(urlPathEqualTo(DISCONNECT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"failed\",\"message\":\"no such call\"}")));

        Response refused = send("POST", "/calls/" + callId + "/hangup", Map.of());
        assertEquals(502, refused.status(), refused.body());
        assertTrue(refused.json().get("message").asText().startsWith("SansPBX: Hang-up failed"), refused.body());
        assertFalse(refused.body().contains("no such call"), "the PBX's own words are logged, not answered");
        assertTrue(capturedLogs().contains("no such call"), "they are logged");

        pbx.stubFor(post(urlPathEqualTo(DISCONNECT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"success\"}")));
        assertEquals(202, send("POST", "/calls/" + callId + "/hangup", Map.of()).status());
        pbx.verify(2, postRequestedFor(urlPathEqualTo(DISCONNECT))
                .withHeader("Apitoken", equalTo("jwt-1"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"callid\": \"12345\"}")));
        assertEquals(200, sansPbxCallback(callId, "ANSWER").status());
        assertEquals("completed", send("GET", "/calls/" + callId, null).json().get("status").asText());
    }
}

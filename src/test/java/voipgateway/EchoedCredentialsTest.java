package voipgateway;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider that echoes the request it refused (its Authorization header, its other headers, its body) in its
 * answer, past the point where the kept text is cut: no form of a credential (as given, Base64 of user:password,
 * URL-encoded, JSON-escaped) reaches an answer, a stored call, an outcome event, the log or the data folder. The
 * scan after each test (GatewayTestSupport) covers answers, logs, collections and the broker; this class adds the
 * data folder's files and every form of every credential it uses.
 */
class EchoedCredentialsTest extends GatewayTestSupport {

    private static final String SID = "ACfedcba9876543210fedcba9876543210";
    private static final String AUTH_TOKEN = "twilio/auth+token\"for-echo";
    private static final String CALLS = "/2010-04-01/Accounts/" + SID + "/Calls.json";

    private EchoingProvider echo;

    @BeforeEach
    void startEcho() throws Exception {
        echo = new EchoingProvider();
    }

    @AfterEach
    void stopEcho() {
        echo.stop();
    }

    @Override
    protected List<String> secrets() {
        List<String> secrets = new ArrayList<>(super.secrets());
        for (String secret : List.of(ACCESS_TOKEN, ACCESS_KEY, PASSWORD, AUTH_TOKEN)) {
            secrets.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
            secrets.add(secret.replace("\"", "\\\""));
            secrets.add(base64(secret));
        }
        secrets.addAll(List.of(AUTH_TOKEN, base64(SID + ":" + AUTH_TOKEN), base64(USERNAME + ":" + PASSWORD),
                // a prefix of a secret left at a cut
                ACCESS_KEY.substring(0, 10), "Demo@&12"));
        return secrets;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSansPbxThatEchoesItsRequestsLeaksNoCredential() throws Exception {
        Response refused = send("POST", "/voip/add-provider", echoing(providerBody()));
        assertEquals(400, refused.status(), refused.body());
        assertEquals("invalid_credentials", refused.json().get("error").asText());
        assertEquals("SansPBX: Token generation error (provider answered HTTP 401)",
                refused.json().get("message").asText());

        echo.answer(GENTOKEN, 200);
        Document call = refusedDialThrough(echoing(providerBody()));
        assertEquals("failed", call.getString("status"));
        assertTrue(call.getString("failureReason").contains("rejected POST"), call.getString("failureReason"));
        assertTrue(call.getString("failureReason").contains("***"), "what the PBX echoed is kept masked");

        JsonNode event = dialFromTheQueue("req-echo");
        assertEquals("failed", event.get("status").asText(), event.toString());
        assertDataFolderHoldsNoSecret();
    }

    @Test
    void aTwilioThatEchoesItsBasicHeaderLeaksNoCredential() throws Exception {
        Response refused = send("POST", "/voip/add-provider", twilioAccount());
        assertEquals(400, refused.status(), refused.body());

        echo.answer("/2010-04-01/Accounts/" + SID + ".json", 200);
        Document call = refusedDialThrough(twilioAccount());
        assertTrue(String.valueOf(call.getString("failureReason")).contains("Authorization: ***"), call.toJson());

        dialFromTheQueue("req-twilio-echo");
        assertDataFolderHoldsNoSecret();
    }

    private Map<String, Object> echoing(Map<String, Object> account) {
        account.put("tokenEndpoint", echo.url(GENTOKEN));
        account.put("dialEndpoint", echo.url(DIALCALL));
        return account;
    }

    /** The account added (its check is answered now), its DID given to the agent, a dial refused: the call stored. */
    private Document refusedDialThrough(Map<String, Object> account) throws Exception {
        Response added = send("POST", "/voip/add-provider", account);
        assertEquals(201, added.status(), added.body());
        String numberId = added.json().at("/provider/dids/0/id").asText();
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT)).status());
        Response dial = call("09000000001");
        assertEquals(502, dial.status(), dial.body());
        assertEquals("provider_auth_failed", dial.json().get("error").asText());
        return db().getCollection("calls").find().first();
    }

    private Map<String, Object> twilioAccount() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", "Twilio");
        body.put("accountSid", SID);
        body.put("authToken", AUTH_TOKEN);
        body.put("apiBaseUrl", echo.url(""));
        body.put("did", "+14155550100");
        return body;
    }

    /** The same dial from the queue: its outcome event (scanned for secrets with the broker after the class). */
    private JsonNode dialFromTheQueue(String requestId) throws Exception {
        ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
        ConsumerTemplate consumer = gateway.getCamelContext().createConsumerTemplate();
        try {
            producer.sendBody("jms:queue:voip.outbound-calls", JSON.writeValueAsString(Map.of("requestId", requestId,
                    "agentId", AGENT, "leadId", LEAD, "toPhone", "09000000002")));
            String event = consumer.receiveBody("jms:queue:voip.call-events", 20_000, String.class);
            assertNotNull(event, "an outcome event was published");
            assertTrue(secrets().stream().noneMatch(event::contains), event);
            return JSON.readTree(event);
        } finally {
            producer.stop();
            consumer.stop();
        }
    }

    /** No form of a credential in any file under the data folder (the embedded store's file, the journal). */
    private void assertDataFolderHoldsNoSecret() throws Exception {
        List<String> leaks = new ArrayList<>();
        try (var files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String secret : secrets()) {
                    for (var charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE)) {
                        if (bytes.contains(new String(secret.getBytes(charset), StandardCharsets.ISO_8859_1))) {
                            leaks.add(dataDir.relativize(file) + " holds " + secret);
                        }
                    }
                }
            }
        }
        assertTrue(leaks.isEmpty(), String.join("\n", leaks));
    }
}

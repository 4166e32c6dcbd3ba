package voipgateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PBX that answers with headers of its own (cookies, server, a secret-looking header, the request's own
 * headers echoed back, a redirect's Location): none of them, and none of the headers sent to it, reach a REST
 * answer, an outcome event or a dead letter. What leaves carries only headers this service chose.
 */
class ProviderHeadersTest extends GatewayTestSupport {

    private static final String API_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.header-test-token";
    private static final String PBX_SECRET = "pbx-session-secret-7d1e";
    /** Header names a REST answer may carry: ours, and the HTTP server's own framing. */
    private static final Set<String> HTTP_ALLOWED = Set.of("content-type", "retry-after", "content-length",
            "transfer-encoding");
    /** JMS headers the broker itself sets on every message, and the ones this service chose. */
    private static final Set<String> MESSAGE_ALLOWED = Set.of("requestid", "callid", "reason", "error", "field");

    private ProducerTemplate producer;
    private ConsumerTemplate consumer;

    @Override
    protected List<String> secrets() {
        List<String> secrets = new ArrayList<>(super.secrets());
        secrets.add(API_TOKEN);
        secrets.add(PBX_SECRET);
        return secrets;
    }

    @BeforeEach
    void templates() {
        producer = gateway.getCamelContext().createProducerTemplate();
        consumer = gateway.getCamelContext().createConsumerTemplate();
    }

    @AfterEach
    void stopTemplates() throws Exception {
        producer.stop();
        consumer.stop();
    }

    /** A PBX answer with every header a careless gateway would pass on. */
    private static ResponseDefinitionBuilder noisy(int status, String body) {
        return aResponse().withStatus(status).withBody(body)
                .withHeader("Content-Type", "application/json")
                .withHeader("Set-Cookie", "PBXSESSION=" + PBX_SECRET + "; HttpOnly")
                .withHeader("Server", "SansPBX/9.9 (internal-host-17)")
                .withHeader("X-Pbx-Secret", PBX_SECRET)
                .withHeader("Apitoken", "{{request.headers.Apitoken}}")
                .withHeader("Accesstoken", "{{request.headers.Accesstoken}}")
                .withHeader("X-Echo-Authorization", "{{request.headers.Authorization}}")
                .withTransformers("response-template");
    }

    private void noisyPbx() {
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(noisy(200, "{\"status\":\"success\",\"Apitoken\":\""
                + API_TOKEN + "\",\"expiry_time\":\"2099-01-01 00:00:00\"}")));
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(noisy(200, "{\"status\":\"success\",\"call_id\":\"7\"}")));
    }

    @Test
    void restAnswersCarryOnlyTheirOwnHeaders() throws Exception {
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(noisy(401,
                "{\"status\":\"error\",\"message\":\"Invalid credentials\"}")));
        Response refused = send("POST", "/voip/add-provider", providerBody());
        assertEquals(400, refused.status(), refused.body());
        assertOnlyOurHeaders(refused);

        noisyPbx();
        Response added = send("POST", "/voip/add-provider", providerBody());
        assertEquals(201, added.status(), added.body());
        assertOnlyOurHeaders(added);
        String numberId = added.json().at("/provider/dids/0/id").asText();
        Response assigned = send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT));
        assertOnlyOurHeaders(assigned);

        Response placed = call("09000000001");
        assertEquals(201, placed.status(), placed.body());
        assertOnlyOurHeaders(placed);
        assertOnlyOurHeaders(send("GET", "/calls/" + placed.json().get("id").asText(), null));

        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(noisy(302, "")
                .withHeader("Location", "https://internal-host-17.example/pbx/login?session=" + PBX_SECRET)));
        Response redirected = call("09000000002");
        assertEquals(502, redirected.status(), redirected.body());
        assertOnlyOurHeaders(redirected);

        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(noisy(500, "")));
        Response failed = call("09000000003");
        assertEquals(202, failed.status(), failed.body());
        assertOnlyOurHeaders(failed);
    }

    /**
     * A cookie a PBX sets is never sent back. One HTTP client serves every account and tenant, so before (found
     * here) the PBX's session cookie went out with every later request to its host, another tenant's too.
     */
    @Test
    void aCookieThePbxSetsIsNeverSentBack() throws Exception {
        noisyPbx();
        providerWithAgent();
        assertEquals(201, call("09000000001").status());
        assertEquals(201, call("09000000002").status());

        // the account's gentoken (adding it) and the first dial answered with a cookie
        List<LoggedRequest> received = pbx.findAll(postRequestedFor(urlMatching(".*")));
        assertEquals(2, received.size(), "the two dials");
        for (LoggedRequest request : received) {
            assertFalse(request.containsHeader("Cookie"), request.getUrl() + " carried " + request.getHeader("Cookie"));
        }
    }

    @Test
    void outcomeEventsAndDeadLettersCarryOnlyTheirOwnHeaders() throws Exception {
        noisyPbx();
        providerWithAgent();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("requestId", "req-headers");
        request.put("agentId", AGENT);
        request.put("leadId", LEAD);
        request.put("toPhone", "09000000001");
        producer.sendBodyAndHeader("jms:queue:voip.outbound-calls", JSON.writeValueAsString(request),
                "SenderSecret", PBX_SECRET);

        Exchange event = consumer.receive("jms:queue:voip.call-events", 20_000);
        assertNotNull(event, "an outcome event was published");
        assertEquals("initiated", JSON.readTree(event.getMessage().getBody(String.class)).get("status").asText());
        assertOnlyOurHeaders(event);

        request.put("agentId", "nobody");
        request.put("requestId", "req-dead");
        producer.sendBodyAndHeader("jms:queue:voip.outbound-calls", JSON.writeValueAsString(request),
                "SenderSecret", PBX_SECRET);
        Exchange letter = consumer.receive("jms:queue:voip.outbound-calls.dead-letter", 20_000);
        assertNotNull(letter, "a dead letter was published");
        assertOnlyOurHeaders(letter);
    }

    private void assertOnlyOurHeaders(Response response) {
        List<String> unexpected = response.headers().keySet().stream()
                .filter(name -> !HTTP_ALLOWED.contains(name.toLowerCase(Locale.ROOT))).toList();
        assertTrue(unexpected.isEmpty(), "headers nobody chose: " + response.headers());
        assertNoSecretIn(response.headers().toString());
    }

    private void assertOnlyOurHeaders(Exchange message) {
        List<String> unexpected = message.getMessage().getHeaders().keySet().stream()
                .filter(name -> !name.startsWith("JMS") && !name.startsWith("Camel")
                        && !MESSAGE_ALLOWED.contains(name.toLowerCase(Locale.ROOT))).toList();
        assertTrue(unexpected.isEmpty(), "headers nobody chose: " + message.getMessage().getHeaders());
        assertNoSecretIn(message.getMessage().getHeaders().toString());
    }

    private void assertNoSecretIn(String text) {
        for (String secret : secrets()) {
            assertTrue(!text.contains(secret), "a header holds " + secret + ": " + text);
        }
        assertTrue(!text.contains("Basic "), "a header holds Basic credentials: " + text);
    }
}

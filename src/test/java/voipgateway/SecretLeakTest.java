package voipgateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flows most likely to leak: refused credentials a PBX echoes back, an Apitoken it repeats in an error,
 * token refreshes, callbacks carrying token-named fields, a typo that puts the password in an unknown field.
 * Every test class is scanned for secrets after each test (GatewayTestSupport); this one adds the Apitoken.
 */
class SecretLeakTest extends GatewayTestSupport {

    private static final String API_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.secret-api-token";

    @Override
    protected List<String> secrets() {
        List<String> secrets = new ArrayList<>(super.secrets());
        secrets.add(API_TOKEN);
        return secrets;
    }

    @Test
    void theRiskiestFlowsLeakNothing() throws Exception {
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withStatus(401).withBody(
                "{\"status\":\"error\",\"message\":\"bad key " + ACCESS_KEY + " / token " + ACCESS_TOKEN
                        + " / password " + PASSWORD + "\"}")));
        assertEquals(400, send("POST", "/voip/add-provider", providerBody()).status());

        pbx.resetAll();
        pbxIssuesToken(API_TOKEN, "2099-01-01 00:00:00");
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withStatus(401)
                .withBody("{\"status\":\"error\",\"message\":\"token " + API_TOKEN + " expired\"}")));
        String numberId = send("POST", "/voip/add-provider", providerBody()).json().at("/provider/dids/0/id").asText();
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT)).status());
        assertEquals(502, call("09000000001").status());
        pbxDials("{\"status\":\"success\",\"call_id\":\"5\"}");
        String callId = call("09000000001").json().get("id").asText();
        send("GET", "/calls/" + callId, null);
        send("GET", "/calls", null);
        send("GET", "/voip/providers", null);
        send("GET", "/voip/numbers", null);
        assertEquals(200, sendRaw("POST", "/callbacks/sanspbx/status?call=" + callId + "&token="
                + callbackToken(callId), "application/json", "{\"Linkedid\":\"5\",\"disposition\":\"ANSWER\","
                + "\"custom_field\":{\"record_id\":\"" + callId + "\"},\"auth_token\":\"" + API_TOKEN + "\"}").status());
        Map<String, Object> typo = providerBody();
        typo.put("passwrd", PASSWORD);
        assertEquals(400, send("POST", "/voip/add-provider", typo).status());

        assertEquals("completed", send("GET", "/calls/" + callId, null).json().get("status").asText());
        assertTrue(capturedLogs().contains("[dial] SansPBX"), "the scan sees the service's log");
        // the scan itself runs after this test (GatewayTestSupport.scanForSecrets)
    }
}

package voipgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shipped adapter template (routes/providers/template.yaml.example), copied as it is to example.yaml, is a
 * working adapter: an account added through the API, a call dialled with a JSON request, hung up, and its JSON
 * status callback applied. What an operator starts from works before they change it.
 */
class AdapterTemplateTest extends GatewayTestSupport {

    private static final String API_KEY_OF_EXAMPLE = "example-provider-api-key";

    @Override
    protected Map<String, String> properties() {
        Map.Entry<Path, Map<String, String>> copy = copyOfShippedRoutes();
        try {
            Files.copy(copy.getKey().resolve("providers/template.yaml.example"),
                    copy.getKey().resolve("providers/example.yaml"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("camel.main.routes-include-pattern", copy.getValue().get("camel.main.routes-include-pattern"),
                "voip.routes-reload", "false", "voip.voice-url", "https://voice.example.com/agent");
    }

    @Override
    protected java.util.List<String> secrets() {
        java.util.List<String> secrets = new java.util.ArrayList<>(super.secrets());
        secrets.add(API_KEY_OF_EXAMPLE);
        return secrets;
    }

    @Test
    void theTemplateAsShippedDialsHangsUpAndTakesCallbacks() throws Exception {
        pbx.stubFor(get(urlPathEqualTo("/v1/account")).willReturn(aResponse().withStatus(200).withBody("{}")));
        pbx.stubFor(post(urlPathEqualTo("/v1/calls")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"ex-9\"}")));
        pbx.stubFor(post(urlPathEqualTo("/v1/calls/ex-9/hangup")).willReturn(aResponse().withStatus(204)));
        Response added = send("POST", "/voip/add-provider", Map.of("provider", "Example", "apiBaseUrl", pbxUrl(""),
                "apiKey", API_KEY_OF_EXAMPLE, "did", "+914400000001"));
        assertEquals(201, added.status(), added.body());
        pbx.verify(1, getRequestedFor(urlPathEqualTo("/v1/account"))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY_OF_EXAMPLE)));
        String numberId = added.json().at("/provider/dids/0/id").asText();
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT)).status());

        Response placed = call("09000000001");
        assertEquals(201, placed.status(), placed.body());
        String callId = placed.json().get("id").asText();
        String callback = "/callbacks/example/status?call=" + callId + "&token=" + callbackToken("Example", callId);
        pbx.verify(1, postRequestedFor(urlPathEqualTo("/v1/calls"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY_OF_EXAMPLE))
                .withRequestBody(equalToJson("{\"to\": \"+919000000001\", \"from\": \"+914400000001\","
                        + " \"answer_url\": \"https://voice.example.com/agent\", \"reference\": \"" + callId + "\","
                        + " \"events\": {\"url\": \"http://localhost:" + port + callback + "\"}}")));
        assertEquals("ex-9", placed.json().get("providerCallId").asText());

        assertEquals(202, send("POST", "/calls/" + callId + "/hangup", Map.of()).status());
        LoggedRequest hangUp = pbx.findAll(postRequestedFor(urlPathEqualTo("/v1/calls/ex-9/hangup"))).get(0);
        assertEquals("Bearer " + API_KEY_OF_EXAMPLE, hangUp.getHeader("Authorization"));

        Response reported = send("POST", callback, Map.of("call_id", "ex-9", "status", "completed", "duration", "12"));
        assertEquals(200, reported.status(), reported.body());
        Response stored = send("GET", "/calls/" + callId, null);
        assertEquals("completed", stored.json().get("status").asText());
        assertEquals(12, stored.json().get("durationSeconds").asInt());
    }
}

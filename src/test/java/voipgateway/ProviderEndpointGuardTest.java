package voipgateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No server-side request forgery: provider endpoints must be https and must not point inside. */
class ProviderEndpointGuardTest extends GatewayTestSupport {

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.allow-http-providers", "false", "voip.allowed-provider-hosts", "");
    }

    @Test
    void internalOrPlainHttpEndpointsAreRefusedBeforeAnyRequest() throws Exception {
        String[][] cases = {
                {"tokenEndpoint", pbxUrl(GENTOKEN), "https"},
                {"tokenEndpoint", "https://127.0.0.1:" + pbx.port() + GENTOKEN, "internal"},
                {"tokenEndpoint", "https://localhost/gentoken", "internal"},
                {"dialEndpoint", "https://169.254.169.254/latest/meta-data/", "internal"},
                {"dialEndpoint", "https://10.1.2.3/dialcall", "internal"},
                {"dialEndpoint", "https://192.168.0.10/dialcall", "internal"},
                {"dialEndpoint", "https://[::1]/dialcall", "internal"},
                {"tokenEndpoint", "https://no-such-host.invalid/gentoken", "resolve"}};
        for (String[] bad : cases) {
            Map<String, Object> body = providerBody();
            body.put("tokenEndpoint", "https://203.0.113.10/gentoken"); // TEST-NET-3: public, resolves without DNS
            body.put("dialEndpoint", "https://203.0.113.10/dialcall");
            body.put(bad[0], bad[1]);
            Response response = send("POST", "/voip/add-provider", body);
            assertEquals(400, response.status(), bad[1] + " -> " + response.body());
            assertEquals(bad[0], response.json().get("field").asText(), response.body());
            assertTrue(response.json().get("message").asText().contains(bad[2]), response.body());
        }
        pbx.verify(0, postRequestedFor(urlPathEqualTo(GENTOKEN)));
        assertEquals(0, db().getCollection("voipproviders").countDocuments());
    }
}

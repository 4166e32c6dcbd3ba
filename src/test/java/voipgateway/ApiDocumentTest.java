package voipgateway;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /openapi.json: the REST API as an OpenAPI 3 document, made from the REST DSL. */
class ApiDocumentTest extends GatewayTestSupport {

    @Override
    protected Map<String, String> properties() {
        return Map.of("public.base.url", "https://voip.example.com/gateway");
    }

    @Test
    void describesEveryEndpointWhereClientsReachIt() throws Exception {
        Response answer = sendAs("", "GET", "/openapi.json", null, null);

        assertEquals(200, answer.status(), answer.body());
        assertTrue(answer.headers().get("content-type").get(0).startsWith("application/json"));
        JsonNode document = answer.json();
        assertTrue(document.get("openapi").asText().startsWith("3."));
        assertEquals("voip-gateway", document.at("/info/title").asText());
        assertEquals("https://voip.example.com/gateway", document.at("/servers/0/url").asText());
        for (String path : List.of("/voip/add-provider", "/voip/assign-number/{numberId}", "/voip/providers",
                "/voip/numbers", "/calls/outbound", "/calls", "/calls/{id}", "/admin/tenants")) {
            assertTrue(document.get("paths").has(path), path + " in " + document.get("paths").fieldNames());
        }
        JsonNode placeCall = document.at("/paths/~1calls~1outbound/post");
        assertEquals("Idempotency-Key", placeCall.at("/parameters/0/name").asText());
        assertEquals("header", placeCall.at("/parameters/0/in").asText());
        assertTrue(placeCall.at("/responses").has("422"), placeCall.toString());
        assertTrue(placeCall.at("/security/0").has("apiKey"));
        assertEquals("bearer", document.at("/components/securitySchemes/apiKey/scheme").asText());
        List<String> listParameters = document.at("/paths/~1calls/get/parameters").findValuesAsText("name");
        assertEquals(List.of("agentId", "status", "from", "to", "page", "limit"), listParameters);
    }
}

package voipgateway;

import java.time.Duration;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.tenants.ApiKeys;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** API keys name the tenant; one tenant never sees or changes another's providers, numbers, agents or calls. */
class TenantIsolationTest extends GatewayTestSupport {

    private static final String OTHER_KEY = "test-api-key-of-tenant-b";
    private static final String ADMIN_KEY = "test-admin-key";

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.admin-key", ADMIN_KEY);
    }

    @BeforeEach
    void secondTenant() throws Exception {
        db().getCollection("apikeys").replaceOne(new Document("_id", sha256(OTHER_KEY)),
                new Document("_id", sha256(OTHER_KEY)).append("tenantId", "tenant-b").append("revoked", false),
                new com.mongodb.client.model.ReplaceOptions().upsert(true));
    }

    @Test
    void everyEndpointNeedsAValidKey() throws Exception {
        String[][] endpoints = {{"POST", "/voip/add-provider"}, {"PUT", "/voip/assign-number/6b0000000000000000000000"},
                {"DELETE", "/voip/assign-number/6b0000000000000000000000"}, {"GET", "/voip/providers"},
                {"GET", "/voip/numbers"}, {"POST", "/calls/outbound"}, {"GET", "/calls"},
                {"GET", "/calls/6b0000000000000000000000"}};
        for (String[] endpoint : endpoints) {
            for (String key : new String[] {"", "not-a-key", API_KEY + "x"}) {
                Response response = sendAs(key, endpoint[0], endpoint[1], "application/json", "{}");
                assertEquals(401, response.status(), String.join(" ", endpoint) + " with '" + key + "'");
                assertEquals("unauthorized", response.json().get("error").asText());
            }
        }
        assertEquals(200, sendAs(OTHER_KEY, "GET", "/voip/providers", null, null).status());
        // revoked through another instance (straight in MongoDB): refused here once the cached entry ages out
        // (voip.cache-seconds, 5 s by default)
        db().getCollection("apikeys").updateOne(new Document("_id", sha256(OTHER_KEY)),
                new Document("$set", new Document("revoked", true)));
        await("a key revoked elsewhere").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> sendAs(OTHER_KEY, "GET", "/voip/providers", null, null).status() == 401);
    }

    @Test
    void anotherTenantSeesNothingAndChangesNothing() throws Exception {
        String numberId = lineThatDials("jwt-1", "1");
        String callId = call("09000000001").json().get("id").asText();
        pbx.resetRequests();

        assertEquals(0, other("GET", "/voip/providers", null).json().size());
        assertEquals(0, other("GET", "/voip/numbers", null).json().size());
        assertEquals(0, other("GET", "/calls", null).json().get("items").size());
        assertEquals(404, other("GET", "/calls/" + callId, null).status());
        assertEquals(404, other("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", "agent-b")).status());
        assertEquals(404, other("DELETE", "/voip/assign-number/" + numberId, null).status());
        Response dial = other("POST", "/calls/outbound", Map.of("agentId", AGENT, "leadId", LEAD,
                "toPhone", "09000000001"));
        assertEquals(404, dial.status(), dial.body());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));

        // tenant "default" still has everything, unchanged
        assertEquals(AGENT, send("GET", "/voip/numbers", null).json().at("/0/assignedAgentId").asText());
        assertEquals(1, send("GET", "/calls", null).json().get("items").size());
        assertEquals(200, send("GET", "/calls/" + callId, null).status());
    }

    @Test
    void theAdminApiCreatesTenantsIssuesAndRevokesKeys() throws Exception {
        assertEquals(401, sendAs(API_KEY, "POST", "/admin/tenants", "application/json", "{\"tenantId\":\"c\"}").status());
        assertEquals(401, sendAs("", "POST", "/admin/tenants", "application/json", "{\"tenantId\":\"c\"}").status());

        Response created = sendAs(ADMIN_KEY, "POST", "/admin/tenants", "application/json",
                "{\"tenantId\":\"tenant-c\",\"name\":\"Tenant C\"}");
        assertEquals(201, created.status(), created.body());
        String firstKey = created.json().get("apiKey").asText();
        assertEquals(200, sendAs(firstKey, "GET", "/voip/providers", null, null).status());
        assertEquals(0, sendAs(firstKey, "GET", "/voip/providers", null, null).json().size());
        assertEquals(409, sendAs(ADMIN_KEY, "POST", "/admin/tenants", "application/json",
                "{\"tenantId\":\"tenant-c\"}").status());
        assertEquals(0, db().getCollection("apikeys").countDocuments(new Document("_id", firstKey)),
                "keys are stored only as hashes");

        Response second = sendAs(ADMIN_KEY, "POST", "/admin/tenants/tenant-c/keys", null, null);
        assertEquals(201, second.status(), second.body());
        Response revoked = sendAs(ADMIN_KEY, "DELETE", "/admin/tenants/tenant-c/keys/"
                + created.json().get("keyId").asText(), null, null);
        assertEquals(200, revoked.status(), revoked.body());
        assertEquals(401, sendAs(firstKey, "GET", "/voip/providers", null, null).status());
        assertEquals(200, sendAs(second.json().get("apiKey").asText(), "GET", "/voip/providers", null, null).status());
        assertEquals(404, sendAs(ADMIN_KEY, "POST", "/admin/tenants/nobody/keys", null, null).status());
        assertEquals(404, sendAs(ADMIN_KEY, "DELETE", "/admin/tenants/tenant-c/keys/nope", null, null).status());
    }

    private Response other(String method, String path, Object body) throws Exception {
        return sendAs(OTHER_KEY, method, path, "application/json", body == null ? null : JSON.writeValueAsString(body));
    }

    private static String sha256(String key) {
        return ApiKeys.hash(key);
    }
}

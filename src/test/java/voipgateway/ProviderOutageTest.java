package voipgateway;

import java.util.LinkedHashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.camel.test.AvailablePortFinder;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import voipgateway.tenants.ApiKeys;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Circuit breakers, one per provider account: timeouts and 5xx count as failures, an open breaker sends nothing
 * (503), and one account's open breaker never touches another's calls. A dial that was sent but not answered is
 * "unknown" (202), never redialled.
 */
class ProviderOutageTest extends GatewayTestSupport {

    private static final String OTHER_KEY = "test-api-key-of-tenant-b";
    private static final String OTHER_AGENT = "agent-of-tenant-b";

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.provider-response-timeout-ms", "1000",
                "voip.provider-breaker.sliding-window-size", "3",
                "voip.provider-breaker.minimum-number-of-calls", "3",
                "voip.provider-breaker.open-seconds", "120");
    }

    @Test
    void timeoutsAndServerErrorsOpenTheBreakerAndAnOpenBreakerIs503WithoutADial() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        providerWithAgent();

        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(5000)
                .withBody("{\"status\":\"success\",\"call_id\":\"1\"}")));
        Response slow = call("09000000001");
        assertEquals(202, slow.status(), slow.body());
        assertEquals("unknown", slow.json().get("status").asText());
        assertTrue(slow.json().get("message").asText().contains("in time"), slow.body());

        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withStatus(500)));
        assertEquals("unknown", call("09000000001").json().get("status").asText());
        assertEquals("unknown", call("09000000001").json().get("status").asText());

        pbx.resetRequests();
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        Response open = call("09000000001");
        assertEquals(503, open.status(), open.body());
        assertTrue(open.json().get("message").asText().contains("circuit is open"), open.body());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(3, send("GET", "/calls?status=unknown", null).json().get("items").size());
        assertEquals(1, db().getCollection("calls").countDocuments(new Document("status", "failed")),
                "without an Idempotency-Key nobody can retry the refused dial: it is final");
    }

    @Test
    void oneTenantsDeadPbxNeverFailsAnotherTenantsCalls() throws Exception {
        lineThatDials("jwt-1", "1");
        WireMockServer otherPbx = new WireMockServer(wireMockConfig().port(AvailablePortFinder.getNextAvailable())
                .bindAddress("127.0.0.1"));
        otherPbx.start();
        otherTenantWithAgentOn(otherPbx);

        int myCalls = 0;
        assertEquals(201, call("09000000001").status(), "before");
        myCalls++;
        assertEquals(201, otherCall().status(), "before, the other tenant's PBX works too");
        otherPbx.stop();

        Response other = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            other = otherCall();
            Response mine = call("09000000001");
            myCalls++;
            assertEquals(201, mine.status(), "during (other tenant's attempt " + attempt + "): " + mine.body());
            if (other.status() == 503 && other.body().contains("circuit is open")) {
                break;
            }
        }
        assertTrue(other.body().contains("circuit is open"), "the dead PBX's breaker opened: " + other.body());

        for (int i = 0; i < 3; i++) {
            assertEquals(201, call("09000000001").status(), "after the other breaker opened");
            myCalls++;
        }
        pbx.verify(myCalls, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void credentialChecksAgainstADeadEndpointOpenNoBreakerThatDialsUse() throws Exception {
        lineThatDials("jwt-1", "1");

        Map<String, Object> dead = providerBody();
        dead.put("tokenEndpoint", "http://127.0.0.1:1" + GENTOKEN);
        for (int i = 0; i < 5; i++) {
            assertEquals(503, send("POST", "/voip/add-provider", dead).status());
        }

        assertEquals(201, call("09000000001").status());
    }

    private void otherTenantWithAgentOn(WireMockServer otherPbx) throws Exception {
        db().getCollection("apikeys").replaceOne(new Document("_id", ApiKeys.hash(OTHER_KEY)),
                new Document("_id", ApiKeys.hash(OTHER_KEY)).append("tenantId", "tenant-b").append("revoked", false),
                new com.mongodb.client.model.ReplaceOptions().upsert(true));
        otherPbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withStatus(200).withBody(
                "{\"status\":\"success\",\"Apitoken\":\"jwt-b\",\"expiry_time\":\"2099-01-01 00:00:00\"}")));
        otherPbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withStatus(200)
                .withBody("{\"status\":\"success\",\"call_id\":\"2\"}")));
        Map<String, Object> account = new LinkedHashMap<>(providerBody());
        account.put("tokenEndpoint", "http://127.0.0.1:" + otherPbx.port() + GENTOKEN);
        account.put("dialEndpoint", "http://127.0.0.1:" + otherPbx.port() + DIALCALL);
        account.put("did", "0124-6000002");
        Response added = sendAs(OTHER_KEY, "POST", "/voip/add-provider", "application/json",
                JSON.writeValueAsString(account));
        assertEquals(201, added.status(), added.body());
        String numberId = added.json().at("/provider/dids/0/id").asText();
        assertEquals(200, sendAs(OTHER_KEY, "PUT", "/voip/assign-number/" + numberId, "application/json",
                JSON.writeValueAsString(Map.of("agentId", OTHER_AGENT))).status());
    }

    private Response otherCall() throws Exception {
        return sendAs(OTHER_KEY, "POST", "/calls/outbound", "application/json", JSON.writeValueAsString(
                Map.of("agentId", OTHER_AGENT, "leadId", LEAD, "toPhone", "09000000002")));
    }
}

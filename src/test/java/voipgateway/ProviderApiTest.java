package voipgateway;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Provider accounts and DIDs: live validation, encryption at rest, updates, assignment. */
class ProviderApiTest extends GatewayTestSupport {

    private static final String[] SECRETS = {ACCESS_TOKEN, ACCESS_KEY, USERNAME, PASSWORD};

    @Test
    void storesTheAccountWithEveryCredentialEncrypted() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");

        Response added = send("POST", "/voip/add-provider", providerBody());

        assertEquals(201, added.status(), added.body());
        JsonNode provider = added.json().get("provider");
        assertEquals(true, added.json().get("success").asBoolean());
        assertEquals("VOIP provider added successfully", added.json().get("message").asText());
        assertEquals("SansPBX", provider.get("provider").asText());
        assertTrue(provider.get("isVerified").asBoolean());
        JsonNode did = provider.get("dids").get(0);
        assertEquals(DID, did.get("number").asText());
        assertEquals("SansPBX DID " + DID, did.get("friendlyName").asText());
        assertEquals("India", did.get("region").asText());
        assertEquals("IN", did.get("country").asText());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(GENTOKEN)));

        Document raw = db().getCollection("voipproviders").find().first();
        Document credentials = raw.get("credentials", Document.class);
        assertEquals("6", credentials.getString("appId"));
        Map<String, String> plain = Map.of("tokenEndpoint", pbxUrl(GENTOKEN), "dialEndpoint", pbxUrl(DIALCALL),
                "accessToken", ACCESS_TOKEN, "accessKey", ACCESS_KEY, "username", USERNAME, "password", PASSWORD);
        plain.forEach((field, value) -> {
            String stored = credentials.getString(field);
            assertNotEquals(value, stored, field + " is stored in clear");
            assertEquals(value, decrypt(stored), field + " decrypts with the key");
        });
        assertNoSecretIn(raw.toJson());
        assertTrue(raw.getBoolean("isActive"));
        assertEquals(1, db().getCollection("voipnumbers").countDocuments());
    }

    @Test
    void addingTheSameAccountAgainUpdatesItAndNeverEncryptsTwice() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        String firstId = send("POST", "/voip/add-provider", providerBody()).json().at("/provider/id").asText();
        Map<String, Object> changed = providerBody();
        changed.put("appId", 7);
        changed.put("password", "New@Pass#2");

        Response again = send("POST", "/voip/add-provider", changed);

        assertEquals(200, again.status(), again.body());
        assertEquals(firstId, again.json().at("/provider/id").asText());
        assertEquals(1, db().getCollection("voipproviders").countDocuments());
        assertEquals(1, db().getCollection("voipnumbers").countDocuments());
        Document credentials = db().getCollection("voipproviders").find().first().get("credentials", Document.class);
        assertEquals("New@Pass#2", decrypt(credentials.getString("password")));
        assertEquals(ACCESS_TOKEN, decrypt(credentials.getString("accessToken")));
        assertEquals("7", credentials.getString("appId"));
    }

    @Test
    void refusedCredentialsAre400AndNothingIsStored() throws Exception {
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withStatus(401)
                .withBody("{\"status\":\"error\",\"message\":\"Invalid access key " + ACCESS_KEY + "\"}")));

        Response response = send("POST", "/voip/add-provider", providerBody());

        assertEquals(400, response.status(), response.body());
        assertEquals("invalid_credentials", response.json().get("error").asText());
        assertEquals("credentials", response.json().get("field").asText());
        assertTrue(response.json().get("message").asText().contains("Token generation error"));
        assertNoSecretIn(response.body());
        assertEquals(0, db().getCollection("voipproviders").countDocuments());
        assertEquals(0, db().getCollection("voipnumbers").countDocuments());
    }

    @Test
    void aSuccessStatusIsRequiredFromGentoken() throws Exception {
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withStatus(200)
                .withBody("{\"status\":\"failed\",\"message\":\"User inactive\"}")));

        Response response = send("POST", "/voip/add-provider", providerBody());

        assertEquals(400, response.status(), response.body());
        assertEquals("invalid_credentials", response.json().get("error").asText());
        assertFalse(response.body().contains("User inactive"), "the provider's words are not answered");
        assertTrue(capturedLogs().contains("User inactive"), "they are logged");
        assertEquals(0, db().getCollection("voipproviders").countDocuments());
    }

    @Test
    void invalidFieldsAre400NamingTheField() throws Exception {
        Map<String, Object> cases = Map.of(
                "provider", "Acme",
                "tokenEndpoint", "ftp://pbx.example.com/gentoken",
                "dialEndpoint", "not a url",
                "appId", "six",
                "did", "12",
                "accessToken", "",
                "username", "a:b");
        for (Map.Entry<String, Object> bad : cases.entrySet()) {
            Map<String, Object> body = providerBody();
            body.put(bad.getKey(), bad.getValue());
            Response response = send("POST", "/voip/add-provider", body);
            assertEquals(400, response.status(), bad + " -> " + response.body());
            assertEquals(bad.getKey(), response.json().get("field").asText(), response.body());
        }
        Map<String, Object> missing = providerBody();
        missing.remove("password");
        Response response = send("POST", "/voip/add-provider", missing);
        assertEquals(400, response.status());
        assertEquals("password", response.json().get("field").asText());

        Map<String, Object> unknown = providerBody();
        unknown.put("passwrd", "x");
        assertEquals("passwrd", send("POST", "/voip/add-provider", unknown).json().get("field").asText());

        Response broken = send("POST", "/voip/add-provider", "{\"provider\": ");
        assertEquals(400, broken.status());
        assertEquals("body", broken.json().get("field").asText());

        assertEquals(415, sendRaw("POST", "/voip/add-provider", "text/plain", "hello").status());
        // an endpoint inside (cloud metadata; ProviderHostsTest has every kind) is refused before any request
        Map<String, Object> inside = providerBody();
        inside.put("tokenEndpoint", "https://169.254.169.254/latest/meta-data/");
        Response ssrf = send("POST", "/voip/add-provider", inside);
        assertEquals(400, ssrf.status(), ssrf.body());
        assertEquals("tokenEndpoint", ssrf.json().get("field").asText());
        assertTrue(ssrf.json().get("message").asText().contains("internal"), ssrf.body());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(GENTOKEN)));
        assertEquals(0, db().getCollection("voipproviders").countDocuments());
    }

    @Test
    void aDidOfAnotherAccountIsAConflict() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        assertEquals(201, send("POST", "/voip/add-provider", providerBody()).status());
        Map<String, Object> otherAccount = providerBody();
        otherAccount.put("username", "someone-else");

        Response response = send("POST", "/voip/add-provider", otherAccount);

        assertEquals(409, response.status(), response.body());
        assertEquals("did", response.json().get("field").asText());
        assertEquals(1, db().getCollection("voipproviders").countDocuments());
    }

    @Test
    void listsProvidersAndNumbersWithoutAnySecret() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        send("POST", "/voip/add-provider", providerBody());

        Response providers = send("GET", "/voip/providers", null);
        Response numbers = send("GET", "/voip/numbers", null);

        assertEquals(200, providers.status());
        assertEquals(DID, providers.json().at("/0/dids/0/number").asText());
        assertFalse(providers.body().contains("credentials"));
        assertNoSecretIn(providers.body());
        assertFalse(providers.body().contains(pbxUrl("")), "endpoints are credentials too");
        assertEquals(200, numbers.status());
        assertEquals(DID, numbers.json().at("/0/number").asText());
    }

    @Test
    void assignsReleasesAndGuardsANumber() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        String numberId = send("POST", "/voip/add-provider", providerBody()).json().at("/provider/dids/0/id").asText();

        Response assigned = send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT));
        assertEquals(200, assigned.status(), assigned.body());
        assertEquals(AGENT, assigned.json().at("/number/assignedAgentId").asText());
        assertEquals(1, db().getCollection("agents").countDocuments(new Document("_id", "default/" + AGENT)), "agent created");
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT)).status(),
                "assigning again to the same agent is fine");

        Response taken = send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", "other-agent"));
        assertEquals(409, taken.status(), taken.body());
        assertEquals(AGENT, db().getCollection("voipnumbers").find().first().getString("assignedAgentId"));

        assertEquals(200, send("DELETE", "/voip/assign-number/" + numberId, null).status());
        assertEquals(null, db().getCollection("voipnumbers").find().first().getString("assignedAgentId"));
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", "other-agent")).status());

        assertEquals(404, send("PUT", "/voip/assign-number/5f0000000000000000000000", Map.of("agentId", AGENT)).status());
        assertEquals(404, send("PUT", "/voip/assign-number/nope", Map.of("agentId", AGENT)).status());
        assertEquals(404, send("DELETE", "/voip/assign-number/5f0000000000000000000000", null).status());
        Response badAgent = send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", "bad id!"));
        assertEquals(400, badAgent.status());
        assertEquals("agentId", badAgent.json().get("field").asText());
    }

    /** What the service's key (alone) reads in a stored value, which must be authenticated (AES-GCM, "v2:"). */
    private static String decrypt(String stored) {
        assertTrue(stored.startsWith("v2:"), stored);
        return voipgateway.crypto.SingleKey.decrypt(KEY, stored);
    }

    private static void assertNoSecretIn(String text) {
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), "secret leaked: " + text);
        }
    }

    @Test
    void anAgentsLineChangedHereIsUsedByItsNextCallAndOneChangedElsewhereWithinTheCacheBound() throws Exception {
        String numberId = lineThatDials("jwt-1", "1");
        assertEquals(201, call("09000000001").status(), "the agent's line is now cached");

        // released through this instance: the next call knows at once
        assertEquals(200, send("DELETE", "/voip/assign-number/" + numberId, null).status());
        assertEquals(404, call("09000000001").status());
        // given to another agent: its call uses the DID, the first agent still has none
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", "agent-2")).status());
        assertEquals(201, send("POST", "/calls/outbound", Map.of("agentId", "agent-2", "leadId", LEAD,
                "toPhone", "09000000001")).status());
        assertEquals(404, call("09000000001").status());

        // released by another instance (straight in MongoDB): seen here once the cached line ages out
        // (voip.cache-seconds, 5 s by default)
        db().getCollection("voipnumbers").updateOne(new Document("_id", new ObjectId(numberId)),
                new Document("$unset", new Document("assignedAgentId", "")));
        await("a line released elsewhere").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> send("POST", "/calls/outbound", Map.of("agentId", "agent-2", "leadId", LEAD,
                        "toPhone", "09000000001")).status() == 404);
    }
}

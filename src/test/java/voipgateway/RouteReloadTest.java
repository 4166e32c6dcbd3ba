package voipgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operators edit routes/ while the service runs: a new file goes live, an edited one (a shipped route too)
 * changes what the service does, and a broken one is read, refused, and breaks nothing else.
 */
class RouteReloadTest extends GatewayTestSupport {

    private Path routes;

    @Override
    protected Map<String, String> properties() {
        Map.Entry<Path, Map<String, String>> copy = copyOfShippedRoutes();
        routes = copy.getKey();
        return copy.getValue();
    }

    @Test
    void newAndEditedRouteFilesGoLiveAndABrokenOneLeavesTheOthersServing() throws Exception {
        Files.writeString(routes.resolve("ping.yaml"), ping("pong"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "pong".equals(send("GET", "/ping", null).body()));

        Files.writeString(routes.resolve("ping.yaml"), ping("pong, edited"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "pong, edited".equals(send("GET", "/ping", null).body()));

        Files.writeString(routes.resolve("broken.yaml"), "- route:\n    id: broken\n    from: [ this is not a route");
        await().atMost(Duration.ofSeconds(30)).until(() -> capturedLogs().lines()
                .anyMatch(line -> line.contains("broken.yaml") && !line.contains("ping.yaml")));

        String refusal = capturedLogs().lines().filter(line -> line.contains("broken.yaml")).findFirst().orElseThrow();
        assertTrue(refusal.startsWith("WARN") && refusal.contains("refused") && refusal.contains("line 3"),
                "the refusal names the file, the line and the reason: " + refusal);
        assertEquals("pong, edited", send("GET", "/ping", null).body());
        assertEquals(200, send("GET", "/voip/numbers", null).status());
        // while a broken file lies in routes/, Camel refuses every reload (it parses them all): fix it or remove it
        Files.delete(routes.resolve("broken.yaml"));

        // a deleted file's routes stop
        Files.delete(routes.resolve("ping.yaml"));
        await().atMost(Duration.ofSeconds(30)).until(() -> send("GET", "/ping", null).status() == 404);
        assertNull(gateway.getCamelContext().getRoute("answer-ping"));
        assertEquals(200, send("GET", "/voip/numbers", null).status());
    }

    @Test
    void anEditedShippedRouteChangesWhatTheServiceDoes() throws Exception {
        lineThatDials("jwt-1", "1");
        Path dialcall = routes.resolve("providers/sanspbx.yaml");
        Files.writeString(dialcall, Files.readString(dialcall).replace("[ok] SansPBX: Call initiated successfully",
                "[ok] SansPBX: Call placed (route edited while running)"));

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            assertEquals(201, call("09000000001").status());
            return capturedLogs().contains("[ok] SansPBX: Call placed (route edited while running)");
        });
    }

    @Test
    void aDeletedProviderAdapterTakesItsProviderAway() throws Exception {
        Map<String, Object> exotel = Map.of("provider", "Exotel", "did", "080-4000-0001");
        assertEquals("accountSid", send("POST", "/voip/add-provider", exotel).json().get("field").asText());
        // an agent calls through an Exotel account
        pbx.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v1/Accounts/exo.json"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)));
        Response added = send("POST", "/voip/add-provider", Map.of("provider", "Exotel", "did", "080-4000-0001",
                "accountSid", "exo", "apiKey", "exotel-key", "apiToken", "exotel-token", "apiBaseUrl", pbxUrl("")));
        assertEquals(201, added.status(), added.body());
        assertEquals(200, send("PUT", "/voip/assign-number/" + added.json().at("/provider/dids/0/id").asText(),
                Map.of("agentId", AGENT)).status());

        Files.delete(routes.resolve("providers/exotel.yaml"));

        await().atMost(Duration.ofSeconds(30)).until(() -> send("POST", "/voip/add-provider", exotel).body()
                .contains("'Exotel' is not supported; supported: SansPBX, Twilio"));
        assertNull(gateway.getCamelContext().getRoute("exotel-dial"));
        assertEquals(404, send("POST", "/callbacks/exotel/status", Map.of()).status());
        // its account's calls: the provider is unavailable, nothing is sent (never a 500)
        Response call = call("09000000001");
        assertEquals(503, call.status(), call.body());
        assertEquals("provider_unavailable", call.json().get("error").asText());
    }

    @Test
    void anAdapterDeclaringAnUnknownKindOfCredentialIsRefusedWithTheReason() throws Exception {
        Files.writeString(routes.resolve("providers/acme.yaml"), Files.readString(routes.resolve(
                "providers/template.yaml.example")).replace("Example", "Acme").replace("example", "acme")
                .replace("apiKey: secret", "apiKey: secrett"));

        assertRefused("acme", "Acme", "unknown kind 'secrett'");
    }

    @Test
    void anAdapterReadingAPropertyTheContractDoesNotDeclareIsRefusedWithItsName() throws Exception {
        Files.writeString(routes.resolve("providers/zeta.yaml"), Files.readString(routes.resolve(
                "providers/template.yaml.example")).replace("Example", "Zeta").replace("example", "zeta")
                .replace("${exchangeProperty.dial.recordId()}", "${exchangeProperty.tenantId}"));

        assertRefused("zeta", "Zeta", "reads exchange property 'tenantId'");
    }

    /** The adapter file {@code <id>.yaml} refused with {@code reason} in its log line, and its provider not offered. */
    private void assertRefused(String id, String provider, String reason) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> capturedLogs().contains("[routes] " + id + ".yaml refused"));
        String refusal = capturedLogs().lines().filter(l -> l.contains("[routes] " + id + ".yaml refused")).findFirst()
                .orElseThrow();
        assertTrue(refusal.contains(reason), refusal);
        assertTrue(send("POST", "/voip/add-provider", Map.of("provider", provider, "did", "+914400000001")).body()
                .contains("'" + provider + "' is not supported"));
    }

    private static String ping(String answer) {
        return """
                - route:
                    id: answer-ping
                    from:
                      uri: platform-http:/ping
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(answer);
    }
}

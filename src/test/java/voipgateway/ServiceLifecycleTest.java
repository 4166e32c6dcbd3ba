package voipgateway;

import java.net.ServerSocket;

import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up and restart: data survives, and the service refuses to run when it could not work. */
class ServiceLifecycleTest extends GatewayTestSupport {

    @Test
    void storedAccountsSurviveARestartOfTheEmbeddedDatabase() throws Exception {
        lineThatDials("jwt-1", "9");

        stop();
        start();

        Response providers = send("GET", "/voip/providers", null);
        assertEquals(200, providers.status());
        assertEquals(DID, providers.json().at("/0/dids/0/number").asText());
        Response call = call("09000000001");
        assertEquals(201, call.status(), "credentials still decrypt after a restart: " + call.body());
    }

    @Test
    void healthNeedsNoKey() throws Exception {
        Response health = sendAs("", "GET", "/health", null, null);
        assertEquals(200, health.status(), health.body());
        assertEquals("UP", health.json().get("status").asText());
    }

    @Test
    void refusesToStartWithoutAnEncryptionKeyOutsideDemoMode() {
        Main main = Application.create();
        main.addOverrideProperty("voip.encryption-key", "");
        main.addOverrideProperty("voip.data-dir", dataDir.resolve("nokey").toString());
        main.addOverrideProperty("port", "0");

        Exception refused = assertThrows(Exception.class, main::start);

        assertTrue(rootMessage(refused).contains("VOIP_ENCRYPTION_KEY is not set"), rootMessage(refused));
    }

    @Test
    void refusesToStartWhenItsPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Main main = Application.create();
            main.addOverrideProperty("voip.encryption-key", KEY);
            main.addOverrideProperty("voip.data-dir", dataDir.resolve("taken").toString());
            main.addOverrideProperty("port", Integer.toString(taken.getLocalPort()));

            Exception refused = assertThrows(Exception.class, main::start);

            assertTrue(rootMessage(refused).contains("already in use"), rootMessage(refused));
        }
    }

    @Test
    void whileItsRoutesStartEveryRequestIsAnswered503WithRetryAfter() throws Exception {
        int starting = AvailablePortFinder.getNextAvailable();
        java.util.List<java.net.http.HttpResponse<String>> answers = new java.util.ArrayList<>();
        Main main = Application.create();
        main.addOverrideProperty("voip.encryption-key", KEY);
        main.addOverrideProperty("voip.data-dir", dataDir.resolve("starting").toString());
        main.addOverrideProperty("port", Integer.toString(starting));
        main.addOverrideProperty("broker.embedded-port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        // a client asking after the server listens and before the routes serve (the service's own listeners
        // are registered before this one)
        main.configure().addConfiguration(new org.apache.camel.CamelConfiguration() {
            @Override
            public void configure(org.apache.camel.CamelContext context) throws Exception {
                context.addStartupListener((camel, alreadyStarted) -> {
                    try {
                        answers.add(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                                .newBuilder(java.net.URI.create("http://127.0.0.1:" + starting + "/calls/outbound"))
                                .header("Authorization", "Bearer " + API_KEY)
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        });
        main.start();
        try {
            assertEquals(503, answers.get(0).statusCode(), answers.get(0).body());
            assertEquals("1", answers.get(0).headers().firstValue("Retry-After").orElse(null));
            assertEquals("starting", JSON.readTree(answers.get(0).body()).get("error").asText());
        } finally {
            main.stop();
        }
    }

    @Test
    void refusesToStartWhenItsPortIsTheEmbeddedBrokers() {
        // both probes pass before either binds; the broker binds first and the HTTP server cannot
        int shared = AvailablePortFinder.getNextAvailable();
        Main main = Application.create();
        main.addOverrideProperty("voip.encryption-key", KEY);
        main.addOverrideProperty("voip.data-dir", dataDir.resolve("same-port").toString());
        main.addOverrideProperty("port", Integer.toString(shared));
        main.addOverrideProperty("broker.embedded-port", Integer.toString(shared));

        Exception refused = assertThrows(Exception.class, main::start);

        assertTrue(rootMessage(refused).contains("port " + shared + " is already in use: set PORT"),
                rootMessage(refused));
        main.stop();
    }

    @Test
    void refusesToStartWhenTheEmbeddedBrokerCannotBind() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Main main = Application.create();
            main.addOverrideProperty("voip.encryption-key", KEY);
            main.addOverrideProperty("voip.data-dir", dataDir.resolve("broker-taken").toString());
            main.addOverrideProperty("port", Integer.toString(AvailablePortFinder.getNextAvailable()));
            main.addOverrideProperty("broker.embedded-port", Integer.toString(taken.getLocalPort()));

            Exception refused = assertThrows(Exception.class, main::start);

            assertTrue(rootMessage(refused).contains("already in use"), rootMessage(refused));
            assertTrue(rootMessage(refused).contains("BROKER_EMBEDDED_PORT"), rootMessage(refused));
        }
    }

    @Test
    void routeReloadCanBeTurnedOff() throws Exception {
        Main main = Application.create();
        main.addOverrideProperty("voip.encryption-key", KEY);
        main.addOverrideProperty("voip.data-dir", dataDir.resolve("no-reload").toString());
        main.addOverrideProperty("port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        main.addOverrideProperty("broker.embedded-port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        main.addOverrideProperty("voip.routes-reload", "false");
        main.start();
        try {
            assertTrue(main.getCamelContext().hasServices(voipgateway.routes.SafeRouteReload.class).isEmpty(),
                    "no watcher of routes/");
            assertTrue(main.getCamelContext().getRoute("place-outbound-call") != null, "the routes are loaded");
        } finally {
            main.stop();
        }
    }

    @Test
    void refusesToStartWithoutItsRoutes() throws Exception {
        // a directory with no route files in it (what a routes/ that is a symbolic link looked like, measured)
        java.nio.file.Files.createDirectories(dataDir.resolve("none"));
        Main main = Application.create();
        main.addOverrideProperty("voip.encryption-key", KEY);
        main.addOverrideProperty("voip.data-dir", dataDir.resolve("no-routes").toString());
        main.addOverrideProperty("port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:" + dataDir.resolve("none") + "/*.yaml");

        Exception refused = assertThrows(Exception.class, main::start);

        assertTrue(rootMessage(refused).startsWith("no routes were loaded from file:"), rootMessage(refused));
        main.stop();
    }

    @ParameterizedTest
    @CsvSource({"voip.rate-limit-requests, 100000000, VOIP_RATE_LIMIT_REQUESTS",
            "voip.rate-limit-period-ms, soon, VOIP_RATE_LIMIT_PERIOD_MS",
            "voip.dial-claim-seconds, 5, VOIP_DIAL_CLAIM_SECONDS",
            "sanspbx.timezone, Mars/Olympus, SANSPBX_TIMEZONE",
            "voip.voice-url, not a url, VOIP_VOICE_URL",
            "voip.provider-breaker.failure-rate-threshold, 0, VOIP_PROVIDER_BREAKER_FAILURE_RATE_THRESHOLD",
            "voip.cluster.backend, zookeeper, VOIP_CLUSTER_BACKEND",
            "voip.cluster.kubernetes.pod-labels, app is voip-gateway, VOIP_CLUSTER_KUBERNETES_POD_LABELS"})
    void refusesToStartWithASettingItCannotHonour(String key, String value, String variable) {
        Main main = Application.create();
        main.addOverrideProperty("voip.encryption-key", KEY);
        main.addOverrideProperty("voip.data-dir", dataDir.resolve("bad-setting-" + variable).toString());
        main.addOverrideProperty("port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        main.addOverrideProperty(key, value);

        Exception refused = assertThrows(Exception.class, main::start);

        assertTrue(rootMessage(refused).startsWith("setting " + key + " (" + variable + ")"), rootMessage(refused));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}

package voipgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Operators edit routes/ while the service runs: a saved file goes live, a broken one breaks nothing else. */
class RouteReloadTest extends GatewayTestSupport {

    private Path routes;

    @Override
    protected Map<String, String> properties() {
        try {
            routes = Files.createTempDirectory("routes");
            try (var files = Files.list(Path.of("routes"))) {
                for (Path file : files.toList()) {
                    Files.copy(file, routes.resolve(file.getFileName()));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml",
                "camel.main.routes-reload-enabled", "true",
                "camel.main.routes-reload-directory", routes.toString());
    }

    @Test
    void aNewRouteFileGoesLiveAndABrokenOneLeavesTheOthersServing() throws Exception {
        Files.writeString(routes.resolve("ping.yaml"), """
                - route:
                    id: answer-ping
                    from:
                      uri: platform-http:/ping
                      steps:
                        - setBody:
                            constant: pong
                """);
        await().atMost(Duration.ofSeconds(20)).until(() -> "pong".equals(send("GET", "/ping", null).body()));

        Files.writeString(routes.resolve("broken.yaml"), "- route:\n    id: broken\n    from: [ this is not a route");
        Thread.sleep(2000);

        assertEquals("pong", send("GET", "/ping", null).body());
        assertEquals(200, send("GET", "/voip/numbers", null).status());
    }
}

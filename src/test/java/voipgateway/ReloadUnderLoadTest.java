package voipgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Route files changed while calls are placed without pause: an edited SansPBX route, a new route file and a broken
 * one. The change and the new file are live within 5 s, the broken file is refused with the old routes serving,
 * and not one call fails meanwhile.
 */
class ReloadUnderLoadTest extends GatewayTestSupport {

    private Path routes;

    @Override
    protected Map<String, String> properties() {
        Map.Entry<Path, Map<String, String>> copy = copyOfShippedRoutes();
        routes = copy.getKey();
        return copy.getValue();
    }

    @Test
    void callsGoOnWhileRouteFilesChange() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        providerWithAgent();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger placed = new AtomicInteger();
        Map<Integer, Integer> failures = new ConcurrentHashMap<>();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4; i++) {
            callers.submit(() -> {
                while (running.get()) {
                    int status = call("09000000001").status();
                    if (status == 201) {
                        placed.incrementAndGet();
                    } else {
                        failures.merge(status, 1, Integer::sum);
                    }
                }
                return null;
            });
        }
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> placed.get() >= 20);

            // a changed route: what the SansPBX answer is logged as
            Path dialcall = routes.resolve("sanspbx-dialcall.yaml");
            Files.writeString(dialcall, Files.readString(dialcall).replace("[ok] SansPBX: Call initiated successfully",
                    "[ok] SansPBX: call taken (edited under load)"));
            await().atMost(Duration.ofSeconds(5)).until(() -> capturedLogs().contains("call taken (edited under load)"));

            // a new file
            Files.writeString(routes.resolve("ping.yaml"), """
                    - route:
                        id: answer-ping
                        from:
                          uri: platform-http:/ping
                          steps:
                            - setBody:
                                constant: pong
                    """);
            await().atMost(Duration.ofSeconds(5)).until(() -> "pong".equals(send("GET", "/ping", null).body()));

            // a broken file: refused, the rest goes on
            Files.writeString(routes.resolve("broken.yaml"), "- route:\n    id: broken\n    from: [ oops");
            await().atMost(Duration.ofSeconds(5)).until(() -> capturedLogs().contains("[routes] broken.yaml refused"));
            int before = placed.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> placed.get() >= before + 20);
        } finally {
            running.set(false);
            callers.shutdown();
            assertTrue(callers.awaitTermination(60, TimeUnit.SECONDS));
        }
        assertEquals(Map.of(), failures, "calls that failed during the reloads, by status");
        assertEquals("pong", send("GET", "/ping", null).body());
        assertTrue(placed.get() >= 40, "calls placed: " + placed.get());
        List<String> edited = capturedLogs().lines().filter(l -> l.contains("call taken (edited under load)")).toList();
        assertTrue(edited.size() >= 10, "calls after the change took the changed route: " + edited.size());
    }
}

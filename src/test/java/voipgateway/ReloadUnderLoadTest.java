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
 * Route files changed while calls are placed without pause: the SansPBX adapter edited (a log line and a status
 * mapping), a new provider adapter dropped in and a broken file. The change and the new provider are live within
 * 5 s, the broken file is refused with the old routes serving, and not one call fails meanwhile.
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
        lineThatDials("jwt-1", "1");
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

            // the SansPBX adapter changed: what its answer is logged as, and how a disposition maps (CONGESTION was
            // failed)
            Path sansPbx = routes.resolve("providers/sanspbx.yaml");
            Files.writeString(sansPbx, Files.readString(sansPbx)
                    .replace("[ok] SansPBX: Call initiated successfully", "[ok] SansPBX: call taken (edited under load)")
                    .replace("CONGESTION: failed", "CONGESTION: busy"));
            await().atMost(Duration.ofSeconds(5)).until(() -> capturedLogs().contains("call taken (edited under load)"));
            String congested = call("09000000002").json().get("id").asText();
            Response reported = sansPbxCallback(congested, "CONGESTION");
            assertEquals(200, reported.status(), reported.body());
            assertEquals("busy", send("GET", "/calls/" + congested, null).json().get("status").asText());

            // a new provider: its adapter file dropped in (Twilio's, named Acme), its accounts accepted at once
            Files.writeString(routes.resolve("providers/acme.yaml"), Files.readString(routes.resolve(
                    "providers/twilio.yaml")).replace("provider: Twilio", "provider: Acme").replace("twilio", "acme"));
            await().atMost(Duration.ofSeconds(5)).until(() -> "accountSid".equals(send("POST", "/voip/add-provider",
                    Map.of("provider", "Acme", "did", "+14155550100")).json().path("field").asText()));

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
        assertTrue(placed.get() >= 40, "calls placed: " + placed.get());
        List<String> edited = capturedLogs().lines().filter(l -> l.contains("call taken (edited under load)")).toList();
        assertTrue(edited.size() >= 10, "calls after the change took the changed route: " + edited.size());
    }
}

package voipgateway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Start-up and memory of the service as a process of its own, run two ways side by side: {@code java -jar} with the
 * JVM's defaults, and {@code bin/voip-gateway} (a class-data-sharing archive written by the first start, the
 * client compiler, the serial collector, a 128 MB heap). Each: a first start on new data (stopped normally, which
 * writes the archive), three timed starts (from the process' start to the "ready" line), then, against the provider
 * simulator in a process of its own, 0 ms dials from 8 callers (1,500 to warm up, 3,000 timed) and 1.5 s dials with
 * 300 in flight (600): calls/s, p50, and the resident memory and threads after, and 70 s later at rest. Not part
 * of {@code mvn verify}:
 * {@code bench/footprint}.
 */
@Tag("benchmark")
class FootprintBenchmark {

    private static final String KEY = "footprint-encryption-key-0123456789";
    private static final String API_KEY = "footprint-api-key-of-tenant-default";
    private static final String AGENT = "507f1f77bcf86cd799439012";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LOGS = Path.of("target/footprint");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private record Figures(String way, List<Double> starts, String eightCallers, String inFlight, long rssStarted,
            long rssAfter, long threadsAfter, long rssRested, long threadsRested) {
    }

    @Test
    void startUpAndMemory() throws Exception {
        Files.createDirectories(LOGS);
        int simulatorPort = AvailablePortFinder.getNextAvailable();
        Process simulator = start("simulator", List.of(java(), "-jar", "target/voip-gateway-simulator.jar",
                "--port", Integer.toString(simulatorPort), "--host", "127.0.0.1", "--token-latency-ms", "0",
                "--dial-latency-ms", "0", "--callback-delay-ms", "1000"), Map.of());
        try {
            awaitLine(simulator, "simulator", "listening", 60);
            List<Figures> figures = new ArrayList<>();
            // -Dbench.ways=launcher: bin/voip-gateway alone
            if (!"launcher".equals(System.getProperty("bench.ways"))) {
                figures.add(measure("java -jar", List.of(java(), "-jar", "target/voip-gateway.jar"), simulatorPort));
            }
            figures.add(measure("bin/voip-gateway", List.of("bin/voip-gateway"), simulatorPort));

            StringBuilder table = new StringBuilder(String.format("%nStart-up and memory (the service as a process"
                    + " of its own; the provider simulator in another)%n%-18s %-16s %-26s %-28s %9s %17s %17s%n",
                    "way", "ready after (s)", "0 ms dials, 8 callers", "1.5 s dials, 300 in flight", "RSS start",
                    "after: RSS, thr.", "70 s on: RSS, thr."));
            for (Figures f : figures) {
                table.append(String.format("%-18s %-16s %-26s %-28s %6d MB %9d MB %5d %9d MB %5d%n", f.way(),
                        f.starts().stream().map(s -> String.format("%.1f", s)).toList(), f.eightCallers(),
                        f.inFlight(), f.rssStarted() / 1024, f.rssAfter() / 1024, f.threadsAfter(),
                        f.rssRested() / 1024, f.threadsRested()));
            }
            System.out.println(table);
        } finally {
            simulator.destroyForcibly().waitFor();
        }
    }

    private Figures measure(String way, List<String> command, int simulatorPort) throws Exception {
        Path dir = Files.createTempDirectory("footprint");
        int port = AvailablePortFinder.getNextAvailable();
        int brokerPort;
        do {
            brokerPort = AvailablePortFinder.getNextAvailable();
        } while (brokerPort == port);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("BROKER_EMBEDDED_PORT", Integer.toString(brokerPort));
        env.put("PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
        env.put("VOIP_DATA_DIR", dir.resolve("data").toString());
        env.put("VOIP_CDS_ARCHIVE", dir.resolve("voip-gateway.jsa").toString());
        env.put("VOIP_ENCRYPTION_KEY", KEY);
        env.put("VOIP_BOOTSTRAP_API_KEY", API_KEY);
        env.put("VOIP_ALLOW_HTTP_PROVIDERS", "true");
        env.put("VOIP_ALLOWED_PROVIDER_HOSTS", "127.0.0.1");
        env.put("VOIP_RATE_LIMIT_REQUESTS", "1000000");
        String name = way.replaceAll("[^a-z]+", "-");
        try {
            // the first start on new data; stopped normally (the launcher's archive is written then)
            stop(awaitLine(start(name, command, env), name, "ready on port", 120));
            List<Double> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long began = System.nanoTime();
                Process service = awaitLine(start(name, command, env), name, "ready on port", 120);
                starts.add((System.nanoTime() - began) / 1e9);
                stop(service);
            }
            Process service = awaitLine(start(name, command, env), name, "ready on port", 120);
            try {
                long rssStarted = status(service, "VmRSS");
                String base = "http://127.0.0.1:" + port;
                setUpAccount(base, simulatorPort);
                calls(base, 8, 1_500);
                String eight = calls(base, 8, 3_000);
                simulatorSettings(simulatorPort, "{\"dialLatencyMs\": \"1500\"}");
                String inFlight = calls(base, 300, 600);
                simulatorSettings(simulatorPort, "{\"dialLatencyMs\": \"0\"}");
                long rssAfter = status(service, "VmRSS");
                long threadsAfter = status(service, "Threads");
                memoryDetail(service, name);
                // at rest: request threads idle for a minute end
                Thread.sleep(70_000);
                return new Figures(way, starts, eight, inFlight, rssStarted, rssAfter, threadsAfter,
                        status(service, "VmRSS"), status(service, "Threads"));
            } finally {
                stop(service);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** {@code n} calls from {@code callers} at once: calls/s and p50; every one must be placed. */
    private String calls(String base, int callers, int n) throws Exception {
        AtomicInteger next = new AtomicInteger();
        long[] took = new long[n];
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        long began = System.nanoTime();
        List<Future<Integer>> placed = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            placed.add(pool.submit(() -> {
                int ok = 0;
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    long start = System.nanoTime();
                    String body = "{\"agentId\": \"" + AGENT + "\", \"leadId\": \"507f1f77bcf86cd799439013\","
                            + " \"toPhone\": \"" + String.format("+91 9%09d", i) + "\", \"purpose\": \"service\"}";
                    if (api(base, "POST", "/calls/outbound", body).statusCode() == 201) {
                        ok++;
                    }
                    took[i] = System.nanoTime() - start;
                }
                return ok;
            }));
        }
        int ok = 0;
        for (Future<Integer> callerPlaced : placed) {
            ok += callerPlaced.get();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        pool.shutdown();
        assertEquals(n, ok, "every call placed");
        Arrays.sort(took);
        return String.format("%.0f calls/s, p50 %.0f ms", n / seconds, took[n / 2] / 1e6);
    }

    private void setUpAccount(String base, int simulatorPort) throws Exception {
        Map<String, Object> account = voipgateway.simulator.LoopbackSimulator.sansPbxAccount(simulatorPort);
        HttpResponse<String> added = api(base, "POST", "/voip/add-provider", JSON.writeValueAsString(account));
        assertEquals(201, added.statusCode(), added.body());
        String number = JSON.readTree(added.body()).at("/provider/dids/0/id").asText();
        assertEquals(200, api(base, "PUT", "/voip/assign-number/" + number, "{\"agentId\": \"" + AGENT + "\"}")
                .statusCode());
    }

    private HttpResponse<String> api(String base, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + API_KEY).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void simulatorSettings(int port, String json) throws Exception {
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/simulator/settings"))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, set.statusCode(), set.body());
    }

    // --- the processes ---

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Process start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(LOGS.resolve(name + ".log").toFile()));
        builder.environment().putAll(env);
        // the launcher finds java on the PATH: this JVM's
        builder.environment().put("PATH", Path.of(java()).getParent() + ":" + System.getenv("PATH"));
        return builder.start();
    }

    /** The process once its log has the line; polled every 20 ms, so a start is timed to about that. */
    private static Process awaitLine(Process process, String name, String line, int seconds) throws Exception {
        Path log = LOGS.resolve(name + ".log");
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return process;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " ended before '" + line + "' (log in " + log + ")");
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(name + " did not log '" + line + "' in " + seconds + " s (log in " + log + ")");
    }

    /** Stopped as a service manager stops it (SIGTERM), and waited for. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /**
     * -Dbench.memory-detail (with JAVA_OPTS=-XX:NativeMemoryTracking=summary): where the memory is right after the
     * load, by the JVM's native memory tracking and a heap histogram, in target/footprint/NAME-memory.txt, and the
     * mappings' resident memory (NAME-smaps.txt).
     */
    private static void memoryDetail(Process service, String name) throws Exception {
        if (System.getProperty("bench.memory-detail") == null) {
            return;
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String pid = Long.toString(service.pid());
        new ProcessBuilder(jcmd, pid, "VM.native_memory", "summary").redirectErrorStream(true)
                .redirectOutput(LOGS.resolve(name + "-memory.txt").toFile()).start().waitFor();
        Files.copy(Path.of("/proc", pid, "smaps"), LOGS.resolve(name + "-smaps.txt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        new ProcessBuilder(jcmd, pid, "GC.class_histogram").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOGS.resolve(name + "-memory.txt").toFile()))
                .start().waitFor();
    }

    /** A line of /proc/<pid>/status, in kB for memory: VmRSS, Threads. */
    private static long status(Process process, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " for process " + process.pid());
    }
}

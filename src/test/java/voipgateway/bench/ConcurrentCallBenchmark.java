package voipgateway.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import voipgateway.GatewayTestSupport;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Outbound calls at concurrency, side by side with the physical limit: a client posting dialcall straight to the
 * same PBX stand-in, with the same number of callers. Reports calls/s and latency percentiles of both, and what
 * the gateway adds over the limit; then status callbacks, {@code GET /calls/{id}} on the calls it placed and a
 * month's {@code GET /usage}. Each line says how busy the JIT compiler was meanwhile (after the warm-up, see
 * WARM_UP_ROUNDS, it should be near 0).
 * {@code -Dbench.stored-calls=200000} seeds that many finished calls first (the scale run: the same figures should
 * come out). Not part of the normal test run:
 * {@code mvn -B test -Dtest=ConcurrentCallBenchmark -Dbenchmark.skip=none [-Dbench.stored-calls=200000]
 * [-Dbench.warm-up-rounds=20]}.
 */
@Tag("benchmark")
class ConcurrentCallBenchmark extends GatewayTestSupport {

    /** The stand-in answers this number at once, and {@link #SLOW} after 1.5 s. */
    private static final String FAST = "09000000001";
    private static final String SLOW = "09000000002";

    private static final int STORED_CALLS = Integer.getInteger("bench.stored-calls", 0);
    /**
     * Warm-up before the 0 ms scenario: rounds of 1,000 calls through each path until the JIT compiler is quiet (it
     * compiled for less than 5 % of a round's time) or this many rounds have run. On 2 cores the server compiler
     * still took about a core for minutes after 3,000 calls: measured before it is done, the figures are its.
     */
    private static final int WARM_UP_ROUNDS = Integer.getInteger("bench.warm-up-rounds", 20);
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Queue<String> placed = new ConcurrentLinkedQueue<>();

    @Override
    protected void startPbx() {
        // the stand-in answers delayed requests without holding a thread each, so it is never the bottleneck
        pbx = new WireMockServer(wireMockConfig().port(AvailablePortFinder.getNextAvailable()).bindAddress("127.0.0.1")
                .containerThreads(64).asynchronousResponseEnabled(true).asynchronousResponseThreads(64)
                .jettyAcceptors(2).disableRequestJournal());
        pbx.start();
    }

    @Test
    void callsPerSecondAndAddedLatencyAtConcurrency() throws Exception {
        pbxIssuesToken("jwt-bench", "2099-01-01 00:00:00");
        providerWithAgent();
        long seedStart = System.nanoTime();
        seedFinishedCalls(STORED_CALLS);
        double seedSeconds = (System.nanoTime() - seedStart) / 1e9;

        StringBuilder report = new StringBuilder(String.format("%nConcurrent outbound call benchmark (2-core machine,"
                + " embedded MongoDB, %,d finished calls stored before, seeded in %.0f s)%n", STORED_CALLS, seedSeconds));
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).atPriority(2).willReturn(dialed()));
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).atPriority(1).withRequestBody(containing(SLOW))
                .willReturn(dialed().withFixedDelay(1_500)));
        report.append(warmUp());
        // CPU ms/call: the JVM's CPU time (client, stand-in and service) over the calls; on the "added" line the
        // gateway's less the direct run's, which is the service's own
        report.append(String.format("%-52s %10s %9s %9s %9s %8s %9s%n", "", "calls/s", "p50 ms", "p99 ms", "max ms",
                "JIT %", "CPU ms"));
        runScenario(report, "provider 0 ms, 8 callers", FAST, 8, 2_000, 0);
        // 300 in flight: the callers start one after another over one provider answer's time (200 arrivals/s), as
        // calls placed all day would come; then the same 300 starting at one instant (how fast a burst gets in)
        runScenario(report, "provider 1500 ms, 300 in flight", SLOW, 300, 900, 1_500);
        runScenario(report, "provider 1500 ms, 300 at one instant", SLOW, 300, 600, 0);

        List<String> ids = new ArrayList<>(placed);
        Iterator<String> forCallbacks = ids.iterator();
        Result callbacks = run(8, 1_000, () -> callback(forCallbacks));
        Iterator<String> forReads = ids.iterator();
        Result reads = run(8, 1_000, () -> read(forReads));
        report.append(callbacks.line("status callback (applied), 8 senders"));
        report.append(reads.line("GET /calls/{id}, 8 clients"));
        // a month's usage by agent: one read by _id a day, whatever the number of calls
        Result usage = run(8, 1_000, this::monthOfUsage);
        report.append(usage.line("GET /usage (31 days, by agent), 8 clients"));
        // listing scans the collection on the embedded server: its cost is expected to grow with the data
        Result lists = run(2, 20, () -> send("GET", "/calls?limit=50", null).status() == 200 ? 201 : -1);
        report.append(lists.line("GET /calls?limit=50 (a scan), 2 clients"));
        System.out.println(report);
    }

    /**
     * The warm-up rounds (see WARM_UP_ROUNDS): each runs both scenarios, straight and through the gateway, then
     * callbacks and reads.
     */
    private String warmUp() throws Exception {
        int rounds = 0;
        double jitShare = 1;
        long started = System.nanoTime();
        while (rounds < WARM_UP_ROUNDS && jitShare >= 0.05) {
            long roundStart = System.nanoTime();
            long jitStart = JIT.getTotalCompilationTime();
            run(8, 1_000, () -> placeCall(FAST));
            run(8, 1_000, () -> dialDirectly(FAST));
            run(300, 300, 1_500, () -> placeCall(SLOW));
            run(300, 300, 1_500, () -> dialDirectly(SLOW));
            Iterator<String> ids = new ArrayList<>(placed).iterator();
            run(8, 1_000, () -> callback(ids));
            Iterator<String> again = new ArrayList<>(placed).iterator();
            run(8, 1_000, () -> read(again));
            run(8, 1_000, this::monthOfUsage);
            placed.clear();
            jitShare = (JIT.getTotalCompilationTime() - jitStart) / ((System.nanoTime() - roundStart) / 1e6);
            rounds++;
        }
        return String.format("warm-up: %d rounds of 1,000 calls, callbacks and reads in %.0f s; the JIT compiler took"
                + " %.0f %% of a core in the last%n", rounds, (System.nanoTime() - started) / 1e9, jitShare * 100);
    }

    private static ResponseDefinitionBuilder dialed() {
        return aResponse().withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"call_id\":\"1\"}");
    }

    private synchronized String next(Iterator<String> ids) {
        return ids.next();
    }

    private int callback(Iterator<String> ids) throws Exception {
        String id = next(ids);
        Response answer = sansPbxCallback(id, "ANSWER");
        return answer.status() == 200 && answer.json().get("applied").asBoolean() ? 201 : answer.status();
    }

    private int read(Iterator<String> ids) throws Exception {
        Response answer = send("GET", "/calls/" + next(ids), null);
        return answer.status() == 200 ? 201 : answer.status();
    }

    /** The last 31 days' usage by agent. */
    private int monthOfUsage() throws Exception {
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        Response answer = send("GET", "/usage?from=" + today.minusDays(30) + "&to=" + today + "&groupBy=agent", null);
        return answer.status() == 200 ? 201 : answer.status();
    }

    /** Months of finished calls, as the dial path and callbacks leave them. */
    private void seedFinishedCalls(int count) {
        ObjectId provider = new ObjectId();
        voipgateway.usage.CallUsage usage = new voipgateway.usage.CallUsage(db().getCollection(
                voipgateway.usage.CallUsage.COLLECTION));
        for (int start = 0; start < count; start += 10_000) {
            List<Document> batch = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 10_000); i++) {
                Date at = new Date(System.currentTimeMillis() - 1_000L * (count - i));
                batch.add(new Document("_id", new ObjectId(at)).append("userId", "default")
                        .append("idempotencyKey", "seed-" + i).append("agentId", "agent-" + (i % 50))
                        .append("leadId", "lead-" + i).append("toPhone", "09000000001").append("callTo", "09000000001")
                        .append("did", DID).append("provider", "SansPBX").append("providerId", provider)
                        .append("providerCallId", "seed-" + i).append("status", "completed").append("statusRank", 4)
                        .append("version", 3).append("durationSeconds", 42).append("billSeconds", 37)
                        .append("response", new Document("status", 201).append("body", "{}"))
                        .append("statusHistory", List.of(new Document("status", "completed").append("receivedAt", at)))
                        .append("createdAt", at).append("initiatedAt", at).append("updatedAt", at));
            }
            db().getCollection("calls").insertMany(batch);
            // and their days' usage, as their ends left it
            batch.forEach(usage::count);
        }
    }

    /** {@code calls} calls from {@code callers} concurrent callers, through the gateway and straight to the PBX. */
    private void runScenario(StringBuilder report, String scenario, String number, int callers, int calls,
            long spreadMillis) throws Exception {
        Result limit = run(callers, calls, spreadMillis, () -> dialDirectly(number));
        Result gateway = run(callers, calls, spreadMillis, () -> placeCall(number));

        report.append(limit.line(scenario + ": direct (limit)"));
        report.append(gateway.line(scenario + ": gateway"));
        report.append(String.format("%-52s %10s %9.1f %9.1f %9s %8s %9.2f%n", scenario + ": added by the gateway", "",
                gateway.percentile(50) - limit.percentile(50), gateway.percentile(99) - limit.percentile(99), "", "",
                gateway.cpuPerCall() - limit.cpuPerCall()));
    }

    private int placeCall(String number) throws Exception {
        Response answer = call(number);
        if (answer.status() == 201) {
            placed.add(answer.json().get("id").asText());
        }
        return answer.status();
    }

    private int dialDirectly(String number) throws Exception {
        return direct.send(HttpRequest.newBuilder(URI.create(pbxUrl(DIALCALL)))
                .header("Content-Type", "application/json").header("Apitoken", "jwt-bench")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"appid\": 6, \"call_to\": \"" + number + "\", \"caller_id\": \"6000001\"}")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode() == 200 ? 201 : -1;
    }

    private static Result run(int callers, int calls, Callable<Integer> call) throws Exception {
        return run(callers, calls, 0, call);
    }

    /**
     * {@code calls} calls from {@code callers} callers, each placing its next call when its last one is answered.
     * With {@code spreadMillis} the callers' first calls are spread evenly over that time, so that calls arrive at
     * a steady rate rather than all at one instant.
     */
    private static Result run(int callers, int calls, long spreadMillis, Callable<Integer> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<Double>> timings = new ArrayList<>();
        long jitStart = JIT.getTotalCompilationTime();
        long cpuStart = CPU.getProcessCpuTime();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < calls; i++) {
                long notBefore = i < callers ? started + spreadMillis * 1_000_000 * i / callers : started;
                timings.add(pool.submit(() -> {
                    while (System.nanoTime() < notBefore) {
                        LockSupport.parkNanos(notBefore - System.nanoTime());
                    }
                    long start = System.nanoTime();
                    assertEquals(201, call.call());
                    return (System.nanoTime() - start) / 1e6;
                }));
            }
            List<Double> millis = new ArrayList<>();
            for (Future<Double> timing : timings) {
                millis.add(timing.get());
            }
            Collections.sort(millis);
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Result(millis, seconds, (JIT.getTotalCompilationTime() - jitStart) / 1e3 / seconds,
                    (CPU.getProcessCpuTime() - cpuStart) / 1e6);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * {@code jitShare}: the time the JIT compiler spent while it ran, as a share of one core; {@code cpuMillis}: the
     * JVM's CPU time meanwhile.
     */
    private record Result(List<Double> millis, double seconds, double jitShare, double cpuMillis) {
        String line(String what) {
            return String.format("%-52s %10.1f %9.1f %9.1f %9.1f %8.0f %9.2f%n", what, perSecond(), percentile(50),
                    percentile(99), percentile(100), jitShare * 100, cpuPerCall());
        }

        double cpuPerCall() {
            return cpuMillis / millis.size();
        }

        double perSecond() {
            return millis.size() / seconds;
        }

        double percentile(int p) {
            return millis.get(Math.min(millis.size() - 1, (int) Math.ceil(millis.size() * p / 100.0) - 1));
        }
    }
}

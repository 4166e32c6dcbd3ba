package voipgateway.bench;

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

import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.camel.test.AvailablePortFinder;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import voipgateway.GatewayTestSupport;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Outbound calls at concurrency, side by side with the physical limit: a client posting dialcall straight to the
 * same PBX stand-in, with the same number of callers. Reports calls/s and latency percentiles of both, and what
 * the gateway adds over the limit; then status callbacks and {@code GET /calls/{id}} on the calls it placed.
 * {@code -Dbench.stored-calls=200000} seeds that many finished calls first (the scale run: the same figures should
 * come out). Not part of the normal test run:
 * {@code mvn -B test -Dtest=ConcurrentCallBenchmark -Dbenchmark.skip=none [-Dbench.stored-calls=200000]}.
 */
@Tag("benchmark")
class ConcurrentCallBenchmark extends GatewayTestSupport {

    private static final String DIAL_BODY = "{\"appid\": 6, \"call_to\": \"09000000001\", \"caller_id\": \"6000001\"}";

    private static final int STORED_CALLS = Integer.getInteger("bench.stored-calls", 0);
    /** Calls through each path before the 0 ms scenario is measured (the JIT is still busy long after start). */
    private static final int WARM_UP = Integer.getInteger("bench.warm-up", 400);

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
        report.append(String.format("%-52s %10s %9s %9s %9s%n", "", "calls/s", "p50 ms", "p99 ms", "max ms"));
        runScenario(report, 0, 8, 2_000, WARM_UP);
        runScenario(report, 1_500, 300, 600, 300);

        List<String> ids = new ArrayList<>(placed);
        Iterator<String> forCallbacks = ids.iterator();
        Result callbacks = run(8, 1_000, () -> callback(forCallbacks));
        Iterator<String> forReads = ids.iterator();
        Result reads = run(8, 1_000, () -> read(forReads));
        report.append(String.format("%-52s %10.0f %9.1f %9.1f %9.1f%n", "status callback (applied), 8 senders",
                callbacks.perSecond(), callbacks.percentile(50), callbacks.percentile(99), callbacks.percentile(100)));
        report.append(String.format("%-52s %10.0f %9.1f %9.1f %9.1f%n", "GET /calls/{id}, 8 clients",
                reads.perSecond(), reads.percentile(50), reads.percentile(99), reads.percentile(100)));
        // listing scans the collection on the embedded server: its cost is expected to grow with the data
        Result lists = run(2, 20, () -> send("GET", "/calls?limit=50", null).status() == 200 ? 201 : -1);
        report.append(String.format("%-52s %10.1f %9.1f %9.1f %9.1f%n", "GET /calls?limit=50 (a scan), 2 clients",
                lists.perSecond(), lists.percentile(50), lists.percentile(99), lists.percentile(100)));
        System.out.println(report);
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

    /** Months of finished calls, as the dial path and callbacks leave them. */
    private void seedFinishedCalls(int count) {
        ObjectId provider = new ObjectId();
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
        }
    }

    /** {@code calls} calls from {@code callers} concurrent callers, through the gateway and straight to the PBX. */
    private void runScenario(StringBuilder report, int providerMillis, int callers, int calls, int warmUp)
            throws Exception {
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(providerMillis)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"success\",\"call_id\":\"1\"}")));
        run(callers, warmUp, () -> call("09000000001").status());
        run(callers, warmUp, this::dialDirectly);

        Result limit = run(callers, calls, this::dialDirectly);
        Result gateway = run(callers, calls, this::placeCall);

        String scenario = "provider " + providerMillis + " ms, " + callers + " callers";
        report.append(String.format("%-52s %10.0f %9.1f %9.1f %9.1f%n", scenario + ": direct (limit)",
                limit.perSecond(), limit.percentile(50), limit.percentile(99), limit.percentile(100)));
        report.append(String.format("%-52s %10.0f %9.1f %9.1f %9.1f%n", scenario + ": gateway",
                gateway.perSecond(), gateway.percentile(50), gateway.percentile(99), gateway.percentile(100)));
        report.append(String.format("%-52s %10s %9.1f %9.1f%n", scenario + ": added by the gateway", "",
                gateway.percentile(50) - limit.percentile(50), gateway.percentile(99) - limit.percentile(99)));
    }

    private int placeCall() throws Exception {
        Response answer = call("09000000001");
        if (answer.status() == 201) {
            placed.add(answer.json().get("id").asText());
        }
        return answer.status();
    }

    private int dialDirectly() throws Exception {
        return direct.send(HttpRequest.newBuilder(URI.create(pbxUrl(DIALCALL)))
                .header("Content-Type", "application/json").header("Apitoken", "jwt-bench")
                .POST(HttpRequest.BodyPublishers.ofString(DIAL_BODY)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode() == 200 ? 201 : -1;
    }

    private static Result run(int callers, int calls, Callable<Integer> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<Double>> timings = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < calls; i++) {
                timings.add(pool.submit(() -> {
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
            return new Result(millis, (System.nanoTime() - started) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    private record Result(List<Double> millis, double seconds) {
        double perSecond() {
            return millis.size() / seconds;
        }

        double percentile(int p) {
            return millis.get(Math.min(millis.size() - 1, (int) Math.ceil(millis.size() * p / 100.0) - 1));
        }
    }
}

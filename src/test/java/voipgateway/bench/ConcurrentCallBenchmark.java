package voipgateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.camel.test.AvailablePortFinder;
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
 * the gateway adds over the limit. Not part of the normal test run:
 * {@code mvn -B test -Dtest=ConcurrentCallBenchmark -Dbenchmark.skip=none}.
 */
@Tag("benchmark")
class ConcurrentCallBenchmark extends GatewayTestSupport {

    private static final String DIAL_BODY = "{\"appid\": 6, \"call_to\": \"09000000001\", \"caller_id\": \"6000001\"}";

    private final HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

        StringBuilder report = new StringBuilder("\nConcurrent outbound call benchmark (2-core machine, embedded MongoDB)\n");
        report.append(String.format("%-52s %10s %9s %9s %9s%n", "", "calls/s", "p50 ms", "p99 ms", "max ms"));
        runScenario(report, 0, 8, 2_000, 400);
        runScenario(report, 1_500, 300, 600, 300);
        System.out.println(report);
    }

    /** {@code calls} calls from {@code callers} concurrent callers, through the gateway and straight to the PBX. */
    private void runScenario(StringBuilder report, int providerMillis, int callers, int calls, int warmUp)
            throws Exception {
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(providerMillis)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"success\",\"call_id\":\"1\"}")));
        run(callers, warmUp, () -> call("09000000001").status());
        run(callers, warmUp, this::dialDirectly);

        Result limit = run(callers, calls, this::dialDirectly);
        Result gateway = run(callers, calls, () -> call("09000000001").status());

        String scenario = "provider " + providerMillis + " ms, " + callers + " callers";
        report.append(String.format("%-52s %10.0f %9.1f %9.1f %9.1f%n", scenario + ": direct (limit)",
                limit.perSecond(), limit.percentile(50), limit.percentile(99), limit.percentile(100)));
        report.append(String.format("%-52s %10.0f %9.1f %9.1f %9.1f%n", scenario + ": gateway",
                gateway.perSecond(), gateway.percentile(50), gateway.percentile(99), gateway.percentile(100)));
        report.append(String.format("%-52s %10s %9.1f %9.1f%n", scenario + ": added by the gateway", "",
                gateway.percentile(50) - limit.percentile(50), gateway.percentile(99) - limit.percentile(99)));
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

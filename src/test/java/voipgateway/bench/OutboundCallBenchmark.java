package voipgateway.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import voipgateway.GatewayTestSupport;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How much a call through the gateway costs over the provider's own time, and how many gentoken requests
 * 100 calls cause. Not part of the normal test run:
 * {@code mvn -B test -Dtest=OutboundCallBenchmark -Dbenchmark.skip=none}.
 */
@Tag("benchmark")
class OutboundCallBenchmark extends GatewayTestSupport {

    /** The stand-in PBX answers every request after this many milliseconds. */
    private static final int PROVIDER_MILLIS = 50;
    private static final int WARM_UP = 300;
    private static final int CALLS = 100;

    @Test
    void addedLatencyAndGentokenRequestsPerHundredCalls() throws Exception {
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withFixedDelay(PROVIDER_MILLIS)
                .withBody("{\"status\":\"success\",\"Apitoken\":\"jwt\",\"expiry_time\":\"2099-01-01 00:00:00\"}")));
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(PROVIDER_MILLIS)
                .withBody("{\"status\":\"success\",\"call_id\":\"1\"}")));
        providerWithAgent();
        for (int i = 0; i < WARM_UP; i++) {
            assertEquals(201, call("09000000001").status());
        }

        // a changed account is a new cache entry, holding the token its credential check was given
        Map<String, Object> changed = providerBody();
        changed.put("appId", "7");
        send("POST", "/voip/add-provider", changed);
        pbx.resetRequests();
        List<Double> added = new ArrayList<>();
        List<Double> reads = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            long start = System.nanoTime();
            Response call = call("09000000001");
            double millis = (System.nanoTime() - start) / 1e6;
            assertEquals(201, call.status());
            // the provider's own time: what WireMock spent serving this call's requests, delay included
            double providerMillis = pbx.getAllServeEvents().stream().limit(i == 0 ? 2 : 1)
                    .mapToDouble(e -> e.getTiming().getTotalTime()).sum();
            added.add(millis - providerMillis);
            long read = System.nanoTime();
            assertEquals(200, send("GET", "/calls/" + call.json().get("id").asText(), null).status());
            reads.add((System.nanoTime() - read) / 1e6);
        }
        int serialGentokens = pbx.findAll(postRequestedFor(urlPathEqualTo(GENTOKEN))).size();

        changed.put("appId", "8");
        send("POST", "/voip/add-provider", changed);
        pbx.resetRequests();
        ExecutorService clients = Executors.newFixedThreadPool(10);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            statuses.add(clients.submit(() -> call("09000000001").status()));
        }
        for (Future<Integer> status : statuses) {
            assertEquals(201, status.get());
        }
        clients.shutdown();
        int concurrentGentokens = pbx.findAll(postRequestedFor(urlPathEqualTo(GENTOKEN))).size();

        Collections.sort(added);
        Collections.sort(reads);
        System.out.printf("%nOutbound call benchmark (provider answers in %d ms, %d calls after %d warm-up calls)%n",
                PROVIDER_MILLIS, CALLS, WARM_UP);
        System.out.printf("  gentoken requests for %d serial calls: %d%n", CALLS, serialGentokens);
        System.out.printf("  gentoken requests for %d calls from 10 concurrent clients: %d%n", CALLS, concurrentGentokens);
        System.out.printf("  added latency over the provider's time: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
                added.get(CALLS / 2), added.get(CALLS * 9 / 10), added.get(CALLS - 1));
        System.out.printf("  for scale, GET /calls/{id} (one MongoDB read): median %.1f ms%n", reads.get(CALLS / 2));
    }
}

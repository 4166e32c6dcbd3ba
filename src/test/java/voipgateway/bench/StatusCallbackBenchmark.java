package voipgateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import voipgateway.GatewayTestSupport;
import voipgateway.callbacks.CallbackTokens;
import voipgateway.crypto.CredentialCipher;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sustained status callbacks stored per second against the embedded MongoDB server, and their latency:
 * 10,000 SansPBX post-call reports for 10,000 calls from 16 concurrent senders, after 2,000 warm-up ones.
 * {@code mvn -B test -Dtest=StatusCallbackBenchmark -Dbenchmark.skip=none}.
 */
@Tag("benchmark")
class StatusCallbackBenchmark extends GatewayTestSupport {

    private static final int CALLBACKS = Integer.getInteger("bench.callbacks", 10_000);
    private static final int WARM_UP = Integer.getInteger("bench.warmup", 2_000);
    private static final int SENDERS = Integer.getInteger("bench.senders", 16);

    @Test
    void callbacksPerSecondAndLatency() throws Exception {
        CallbackTokens tokens = new CallbackTokens(new CredentialCipher(KEY));
        List<String> calls = storeCalls(WARM_UP + CALLBACKS);
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(SENDERS)).build();

        send(http, tokens, calls.subList(0, WARM_UP));
        long started = System.nanoTime();
        double[] latencies = send(http, tokens, calls.subList(WARM_UP, calls.size()));
        double seconds = (System.nanoTime() - started) / 1e9;

        assertEquals(WARM_UP + CALLBACKS, db().getCollection("calls").countDocuments(new Document("status", "completed")));
        Arrays.sort(latencies);
        System.out.printf("%nStatus callback benchmark (%d callbacks, %d concurrent senders, embedded MongoDB)%n",
                CALLBACKS, SENDERS);
        System.out.printf("  stored: %.0f callbacks/s sustained (%.1f s)%n", CALLBACKS / seconds, seconds);
        System.out.printf("  latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", latencies[CALLBACKS / 2],
                latencies[CALLBACKS * 99 / 100], latencies[CALLBACKS - 1]);
    }

    private List<String> storeCalls(int count) {
        ObjectId provider = new ObjectId();
        List<Document> documents = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectId id = new ObjectId();
            ids.add(id.toHexString());
            documents.add(new Document("_id", id).append("agentId", "agent-" + (i % 50)).append("leadId", "lead")
                    .append("userId", "default").append("idempotencyKey", "key-" + i)
                    .append("toPhone", "09000000001").append("did", DID).append("provider", "SansPBX")
                    .append("providerId", provider).append("providerCallId", Integer.toString(i))
                    .append("status", "initiated").append("statusRank", 1).append("createdAt", new Date())
                    .append("updatedAt", new Date()));
        }
        db().getCollection("calls").insertMany(documents);
        return ids;
    }

    private double[] send(HttpClient http, CallbackTokens tokens, List<String> calls) throws Exception {
        double[] latencies = new double[calls.size()];
        AtomicInteger next = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            done.add(senders.submit(() -> {
                for (int i = next.getAndIncrement(); i < calls.size(); i = next.getAndIncrement()) {
                    String id = calls.get(i);
                    String body = "{\"Linkedid\":\"" + i + "\",\"disposition\":\"ANSWER\",\"duration\":\"42\","
                            + "\"billsec\":\"37\",\"end_time\":\"2026-02-14 15:36:08\",\"cause_txt\":\"Normal Clearing\","
                            + "\"custom_field\":{\"record_id\":\"" + id + "\"}}";
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/callbacks/sanspbx/status?call=" + id + "&token=" + tokens.tokenFor(id)))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    long start = System.nanoTime();
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    latencies[i] = (System.nanoTime() - start) / 1e6;
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(response.statusCode() + " " + response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        senders.shutdown();
        return latencies;
    }
}

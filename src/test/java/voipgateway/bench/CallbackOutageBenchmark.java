package voipgateway.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import voipgateway.ExternalMongo;
import voipgateway.GatewayTestSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Status callbacks at a steady rate while MongoDB (its own server, on its own socket) is stopped for 30 s and
 * started again: how many were accepted, how many were kept on the broker, and that every one was applied, none
 * twice. Not part of the normal test run:
 * {@code mvn -B test -Dtest=CallbackOutageBenchmark -Dbenchmark.skip=none}.
 */
@Tag("benchmark")
class CallbackOutageBenchmark extends GatewayTestSupport {

    private static final int CALLBACKS = Integer.getInteger("bench.callbacks", 9_000);
    private static final int PER_SECOND = Integer.getInteger("bench.callbacks-per-second", 150);
    private static final int SENDERS = 16;
    private static final Duration OUTAGE_AFTER = Duration.ofSeconds(15);
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private ExternalMongo mongo;

    @Override
    protected Map<String, String> properties() {
        if (mongo == null) {
            mongo = new ExternalMongo(dataDir.resolve("outage-mongo.mv.db"));
        }
        return Map.of("mongodb.uri", mongo.uri(), "mongodb.server-selection-timeout-ms", "1000");
    }

    @AfterAll
    void stopMongo() {
        mongo.stop();
    }

    @Test
    void everyCallbackIsAppliedOnceThroughAMongoOutage() throws Exception {
        List<String> calls = storeCalls(CALLBACKS);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger applied = new AtomicInteger();
        AtomicInteger deferred = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        double[] latencies = new double[CALLBACKS];
        long started = System.nanoTime();

        ExecutorService pool = Executors.newFixedThreadPool(SENDERS + 1);
        Future<Long> outage = pool.submit(() -> {
            Thread.sleep(OUTAGE_AFTER.toMillis());
            mongo.stop();
            Thread.sleep(OUTAGE.toMillis());
            mongo.start();
            return System.nanoTime();
        });
        List<Future<?>> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            senders.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < CALLBACKS; i = next.getAndIncrement()) {
                    long due = started + i * 1_000_000_000L / PER_SECOND;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    String id = calls.get(i);
                    long start = System.nanoTime();
                    Response answer = send("POST", "/callbacks/sanspbx/status?call=" + id + "&token="
                            + callbackToken(id), Map.of("Linkedid", Integer.toString(i), "disposition", "ANSWER",
                            "duration", "42", "billsec", "37", "end_time", "2026-02-14 15:36:08",
                            "custom_field", Map.of("record_id", id)));
                    latencies[i] = (System.nanoTime() - start) / 1e6;
                    (answer.status() == 200 ? applied : answer.status() == 202 ? deferred : refused).incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> sender : senders) {
            sender.get();
        }
        double sendSeconds = (System.nanoTime() - started) / 1e9;
        long mongoBack = outage.get();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                db().getCollection("calls").countDocuments(new Document("status", "completed")) == CALLBACKS);
        double drainSeconds = (System.nanoTime() - mongoBack) / 1e9;
        pool.shutdown();

        long twice = 0;
        for (Document call : db().getCollection("calls").find()) {
            twice += call.getList("statusHistory", Document.class, List.of()).size() > 1 ? 1 : 0;
        }
        Arrays.sort(latencies);
        System.out.printf("%nCallback outage benchmark (%d callbacks at %d/s from %d senders; MongoDB stopped %d s"
                + " after the start for %d s)%n", CALLBACKS, PER_SECOND, SENDERS, OUTAGE_AFTER.toSeconds(),
                OUTAGE.toSeconds());
        System.out.printf("  accepted: %.0f callbacks/s over %.1f s; 200 applied at once %d, 202 kept on the broker %d,"
                + " refused %d%n", (applied.get() + deferred.get()) / sendSeconds, sendSeconds, applied.get(),
                deferred.get(), refused.get());
        System.out.printf("  answer latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", latencies[CALLBACKS / 2],
                latencies[CALLBACKS * 99 / 100], latencies[CALLBACKS - 1]);
        System.out.printf("  applied: %d of %d (all %.1f s after MongoDB was back), applied twice: %d%n",
                db().getCollection("calls").countDocuments(new Document("status", "completed")), CALLBACKS,
                drainSeconds, twice);
        assertEquals(0, refused.get());
        assertEquals(0, twice);
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
                    .append("status", "initiated").append("statusRank", 1).append("version", 2)
                    .append("createdAt", new Date()).append("updatedAt", new Date()));
        }
        db().getCollection("calls").insertMany(documents);
        return ids;
    }
}

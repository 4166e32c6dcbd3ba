package voipgateway.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import voipgateway.GatewayTestSupport;
import voipgateway.simulator.LoopbackSimulator;
import voipgateway.simulator.SimulatorSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A campaign at scale: a CSV of {@code bench.campaign.leads} (100,000) leads accepted in one upload (time, heap),
 * then dialled for {@code bench.campaign.minutes} (3) against the provider simulator at the account's pacing limit
 * ({@code bench.campaign.rate}, 20 calls a second): dials a second per minute against the limit, and per minute the
 * time from a lead taken to its provider's answer (p50, p99) against the simulator's own dial answered directly.
 * {@code mvn -B test -Dtest=CampaignBenchmark -Dbenchmark.skip=none}.
 */
@Tag("benchmark")
class CampaignBenchmark extends GatewayTestSupport {

    private static final int LEADS = Integer.getInteger("bench.campaign.leads", 100_000);
    private static final int MINUTES = Integer.getInteger("bench.campaign.minutes", 3);
    private static final int RATE = Integer.getInteger("bench.campaign.rate", 20);
    private static final int CALL_MS = 1000;
    private LoopbackSimulator simulator;
    private int simulatorPort;

    @Override
    protected Map<String, String> properties() {
        // one upload of 100,000 leads is about 2.4 MB: an operator raises the body limit for it
        return Map.of("camel.server.max-body-size", "16777216");
    }

    @BeforeAll
    void startSimulator() {
        SimulatorSettings settings = new SimulatorSettings();
        settings.tokenLatencyMs = 10;
        settings.dialLatencyMs = "0";
        settings.callbackDelayMs = CALL_MS;
        simulator = new LoopbackSimulator(settings);
        simulatorPort = simulator.port();
    }

    @AfterAll
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void aHundredThousandLeadsAcceptedThenDialledAtThePacingLimit() throws Exception {
        Map<String, Object> account = LoopbackSimulator.sansPbxAccount(simulatorPort);
        account.put("callsPerSecond", RATE);
        lineOf(account);

        StringBuilder csv = new StringBuilder("leadId,toPhone,firstName\n");
        for (int i = 0; i < LEADS; i++) {
            csv.append(String.format("lead-%06d,09%09d,Name%d%n", i, i, i % 100));
        }
        System.gc();
        long heapBefore = heapUsed();
        long started = System.nanoTime();
        // the campaign's cap: the calls a second the account takes, times a call's length, and a little more
        Response created = sendRaw("POST", "/campaigns?name=bench&agentId=" + AGENT + "&maxConcurrentCalls="
                + (RATE * (CALL_MS / 1000 + 1)), "text/csv", csv.toString());
        double importSeconds = (System.nanoTime() - started) / 1e9;
        System.gc();
        long heapAfter = heapUsed();
        assertEquals(201, created.status(), created.body().substring(0, Math.min(500, created.body().length())));
        assertEquals(LEADS, created.json().at("/imported/accepted").asInt());
        String id = created.json().get("id").asText();

        List<Long> direct = directDials(200);
        Instant from = Instant.now();
        assertEquals(200, send("POST", "/campaigns/" + id + "/start", null).status());
        Thread.sleep(Duration.ofMinutes(MINUTES).toMillis());
        assertEquals(200, send("POST", "/campaigns/" + id + "/pause", null).status());
        // the calls in flight end before the service stops
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> send("GET", "/campaigns/" + id,
                null).json().at("/counts/dialing").asInt() == 0);

        // per minute since the start: dials the provider took, and how long each lead waited from taken to answered
        Map<Long, List<Long>> waits = new TreeMap<>();
        for (Document call : db().getCollection("calls").find(new Document("campaignId", id))) {
            if (call.getDate("initiatedAt") == null) {
                continue;
            }
            Instant initiated = call.getDate("initiatedAt").toInstant();
            Document lead = db().getCollection("campaign_leads_" + id).find(new Document("_id",
                    call.getInteger("campaignLead"))).first();
            long minute = Duration.between(from, initiated).toMinutes();
            waits.computeIfAbsent(minute, m -> new ArrayList<>()).add(Duration.between(
                    lead.getDate("dialingSince").toInstant(), initiated).toMillis());
        }
        System.out.printf("%nCampaign benchmark (2-core machine, embedded MongoDB)%n");
        System.out.printf("import: %,d leads (CSV, %,d bytes) accepted in %.1f s = %,.0f leads/s; heap in use after a"
                + " collection: %d MB before, %d MB after (the CSV itself held by this test)%n", LEADS, csv.length(),
                importSeconds, LEADS / importSeconds, heapBefore >> 20, heapAfter >> 20);
        System.out.printf("simulator's dialcall answered directly: p50 %d ms, p99 %d ms%n", pct(direct, 50),
                pct(direct, 99));
        // the pacing lets RATE calls through per second and its margin (voip.pacing.margin-ms, 250)
        double limit = RATE * 1000.0 / 1250;
        System.out.printf("%-8s %12s %12s %18s %18s%n", "minute", "dials/s", "limit /s", "taken->answer p50",
                "taken->answer p99");
        waits.forEach((minute, list) -> {
            if (minute < MINUTES) {
                System.out.printf("%-8d %12.1f %12.1f %15d ms %15d ms%n", minute + 1, list.size() / 60.0, limit,
                        pct(list, 50), pct(list, 99));
            }
        });
        JsonNode campaign = send("GET", "/campaigns/" + id, null).json();
        System.out.printf("campaign after %d min: %s%n", MINUTES, campaign.get("counts"));
    }

    private List<Long> directDials(int count) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + simulatorPort + "/pbxadmin/sanpbxapi/";
        String token = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base + "gentoken"))
                .header("Content-Type", "application/json").header("Accesstoken", "0123456789abcdef0123456789abcdef")
                .header("Authorization", voipgateway.providers.ProviderRequests.basicAuth("demo-user", "Demo@&1234!#"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"access_key\":\"demo-access-key\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("Apitoken").asText();
        List<Long> took = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long started = System.nanoTime();
            client.send(HttpRequest.newBuilder(URI.create(base + "dialcall")).header("Content-Type", "application/json")
                    .header("Apitoken", token).POST(HttpRequest.BodyPublishers.ofString("{\"appid\": 6, \"call_to\":"
                            + " \"09000000001\", \"caller_id\": \"01246000001\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            took.add((System.nanoTime() - started) / 1_000_000);
        }
        return took;
    }

    private static long pct(List<Long> values, int percentile) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Long::compare);
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * percentile / 100));
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

}

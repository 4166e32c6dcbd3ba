package voipgateway.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.test.AvailablePortFinder;
import org.bson.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import voipgateway.brokers.KafkaBroker;
import voipgateway.brokers.RabbitMqBroker;
import voipgateway.calls.CallLifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault runs: the service as {@code java -jar} runs it, with a MongoDB wire server and the provider simulator each
 * in a process of its own, under load from REST callers (who retry with the same Idempotency-Key, as a dialer
 * does) and a queue producer, while one thing goes wrong: the provider is down for 30 s, MongoDB is killed and
 * started again, the service is killed ({@code kill -9}) and started again. After each, once everything has
 * settled, it counts what must be 0: calls dialled twice, status reports the service acknowledged but did not
 * apply, requests without a stored outcome, pacing slots held by calls that ended. Two more runs put three
 * instances on one MongoDB and a shared bus (Kafka, then RabbitMQ), kill one instance mid-load, then the one leading
 * the timers just after scheduled calls became due, and start both again; they also count scheduled calls dialled
 * twice, the most dials the simulator took in one second (against the account's limit) and gentoken requests (one
 * per token lifetime for all instances). Not part of {@code mvn verify}:
 * {@code bench/faults} (or {@code mvn -B test -Dtest=FaultRuns -Dbenchmark.skip=none} after {@code mvn package}).
 */
@Tag("benchmark")
class FaultRuns {

    private static final String KEY = "fault-run-encryption-key-0123456789";
    private static final String API_KEY = "fault-run-api-key-of-tenant-default";
    private static final String BROKER_USER = "fault-runs";
    private static final String BROKER_PASSWORD = "fault-run-broker-password";
    private static final String AGENT = "507f1f77bcf86cd799439012";
    private static final int LOAD_SECONDS = Integer.getInteger("faults.load-seconds", 50);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LOGS = Path.of("target/fault-runs");
    /** The account's calls-per-second limit, held across all instances. */
    private static final int CALLS_PER_SECOND = 20;
    /** The simulator's token lifetime: several in a run, so each must cost one gentoken for all instances. */
    private static final int TOKEN_LIFETIME_SECONDS = 30;
    /** A token is not used in its last seconds (sanspbx.token-refresh-margin-seconds): it serves this long. */
    private static final int TOKEN_MARGIN_SECONDS = 5;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private Path dir;
    private String scenarioName;
    private int mongoPort;
    private int simulatorPort;
    private Process mongo;
    private Process simulator;
    /** The scenario's instances of the service: each its own process, ports and data folder. */
    private final List<Instance> instances = new ArrayList<>();
    /** Where the call requests go: the first instance's embedded Artemis, or a shared RabbitMQ or Kafka. */
    private Bus bus = Bus.ARTEMIS;
    /** A calling window for promotional calls that opens during the load (scheduled calls wait for it). */
    private String promotionalWindow = "";

    private enum Bus { ARTEMIS, RABBITMQ, KAFKA }

    private static final class Instance {
        final int index;
        final int port = AvailablePortFinder.getNextAvailable();
        final int managementPort = AvailablePortFinder.getNextAvailable();
        final int brokerPort = AvailablePortFinder.getNextAvailable();
        Process process;

        Instance(int index) {
            this.index = index;
        }
    }

    private interface Fault {
        /** Runs beside the load from its start, then returns once the fault is over. */
        void inject() throws Exception;
    }

    private record Outcome(String scenario, int requests, long placed, long dialledTwice, int callbacksLost,
            int withoutOutcome, int slotsLeaked, long slotsFreedBySweeper, long callbacksUnacknowledged,
            long scheduledTwice, long mostDialsInASecond, long gentokens, long tokenLifetimes, double seconds,
            long usageCalls, long endedByReport) {

        boolean clean() {
            return dialledTwice == 0 && callbacksLost == 0 && withoutOutcome == 0 && slotsLeaked == 0
                    && scheduledTwice == 0 && mostDialsInASecond <= CALLS_PER_SECOND;
        }
    }

    @Test
    void nothingIsLostOrDoneTwice() throws Exception {
        Files.createDirectories(LOGS);
        String chosen = System.getProperty("faults.scenarios", "provider,mongo,service,instances-kafka,instances-rabbitmq");
        List<Outcome> outcomes = new ArrayList<>();
        if (chosen.contains("provider")) {
            outcomes.add(run("provider down 30 s", () -> {
                Thread.sleep(10_000);
                simulatorSettings("{\"down\": true}");
                Thread.sleep(30_000);
                simulatorSettings("{\"down\": false}");
            }));
        }
        if (chosen.contains("mongo")) {
            outcomes.add(run("MongoDB killed (kill -9), back 15 s later", () -> {
                Thread.sleep(10_000);
                mongo.destroyForcibly().waitFor();
                Thread.sleep(15_000);
                startMongo();
            }));
        }
        if (chosen.contains("service")) {
            outcomes.add(run("service killed (kill -9) and restarted", () -> {
                Thread.sleep(15_000);
                instances.get(0).process.destroyForcibly().waitFor();
                startGateway(instances.get(0));
            }));
        }
        for (Bus shared : List.of(Bus.KAFKA, Bus.RABBITMQ)) {
            if (chosen.contains("instances-" + shared.name().toLowerCase())) {
                outcomes.add(severalInstances(shared));
            }
        }

        StringBuilder table = new StringBuilder(String.format("%nFault runs (%d s of load each: 4 REST callers"
                + " retrying with their key, 1 queue producer; SansPBX simulator, dial 200-500 ms; the account's"
                + " limit %d calls/s; a token lives %d s, used for %d)%n", LOAD_SECONDS, CALLS_PER_SECOND,
                TOKEN_LIFETIME_SECONDS, TOKEN_LIFETIME_SECONDS - TOKEN_MARGIN_SECONDS));
        table.append(String.format("%-48s %8s %7s %6s %8s %10s %6s %10s %8s %10s %9s %13s %13s %7s%n", "scenario",
                "requests", "placed", "twice", "cb lost", "no outcome", "slots", "slots late", "cb unack",
                "sched twice", "max dials/s", "gentoken/uses", "usage/ended", "settled"));
        for (Outcome o : outcomes) {
            table.append(String.format("%-48s %8d %7d %6d %8d %10d %6d %10d %8d %10d %9d/%d %10d/%d %8d/%d %6.0fs%n",
                    o.scenario(), o.requests(), o.placed(), o.dialledTwice(), o.callbacksLost(), o.withoutOutcome(),
                    o.slotsLeaked(), o.slotsFreedBySweeper(), o.callbacksUnacknowledged(), o.scheduledTwice(),
                    o.mostDialsInASecond(), CALLS_PER_SECOND, o.gentokens(), o.tokenLifetimes(), o.usageCalls(),
                    o.endedByReport(), o.seconds()));
        }
        System.out.println(table);
        for (Outcome o : outcomes) {
            assertEquals(List.of(0L, 0, 0, 0, 0L), List.of(o.dialledTwice(), o.callbacksLost(), o.withoutOutcome(),
                    o.slotsLeaked(), o.scheduledTwice()), o.scenario());
            assertTrue(o.mostDialsInASecond() <= CALLS_PER_SECOND, o.scenario() + ": " + o.mostDialsInASecond());
            assertTrue(o.gentokens() <= o.tokenLifetimes(), o.scenario() + ": " + o.gentokens() + " gentoken");
        }
    }

    /**
     * Three instances on one MongoDB wire server and one shared bus, REST and queue load spread over them, scheduled
     * calls whose calling window opens during the load: one instance killed ({@code kill -9}) mid-load, then the
     * one leading the timers just after the window opened, then both started again.
     */
    private Outcome severalInstances(Bus shared) throws Exception {
        bus = shared;
        // the promotional window opens at the first whole minute at least 25 s into the load
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneId.of("Asia/Kolkata"));
        java.time.ZonedDateTime opens = now.plusSeconds(45).truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
                .plusMinutes(1);
        promotionalWindow = opens.toLocalTime() + "-" + opens.plusHours(6).toLocalTime();
        try {
            return run("3 instances on " + shared.name().toLowerCase() + ": one killed, then the leader", 3, () -> {
                long untilOpen = java.time.Duration.between(java.time.ZonedDateTime.now(opens.getZone()), opens)
                        .toMillis();
                Thread.sleep(Math.max(5_000, untilOpen - 15_000));
                Instance any = instances.get((leader() + 1) % instances.size());
                any.process.destroyForcibly().waitFor();
                Thread.sleep(Math.max(0, java.time.Duration.between(java.time.ZonedDateTime.now(opens.getZone()),
                        opens).toMillis()) + 2_000);
                Instance leading = instances.get(leader());
                leading.process.destroyForcibly().waitFor();
                Thread.sleep(10_000);
                startGateway(any);
                startGateway(leading);
            });
        } finally {
            bus = Bus.ARTEMIS;
            promotionalWindow = "";
        }
    }

    /** The index of the instance whose /metrics says it leads the timers (waits for one). */
    private int leader() throws Exception {
        for (int look = 0; look < 200; look++) {
            for (Instance instance : instances) {
                try {
                    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + instance.managementPort + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    if (metrics.contains("voip_cluster_leader{namespace=\"voip-gateway\"} 1.0")) {
                        return instance.index;
                    }
                } catch (IOException notThere) {
                    // killed, or starting
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no instance leads");
    }

    private Outcome run(String scenario, Fault fault) throws Exception {
        return run(scenario, 1, fault);
    }

    private Outcome run(String scenario, int count, Fault fault) throws Exception {
        dir = Files.createTempDirectory("fault-run");
        mongoPort = AvailablePortFinder.getNextAvailable();
        simulatorPort = AvailablePortFinder.getNextAvailable();
        instances.clear();
        for (int i = 0; i < count; i++) {
            instances.add(new Instance(i));
        }
        String name = scenario.replaceAll("[^a-zA-Z0-9]+", "-");
        scenarioName = name;
        Outcome outcome = null;
        try {
            startMongo();
            simulator = java(name + "-simulator", List.of("-jar", "target/voip-gateway-simulator.jar",
                    "--port", Integer.toString(simulatorPort), "--host", "127.0.0.1", "--token-latency-ms", "100",
                    "--dial-latency-ms", "200-500", "--callback-delay-ms", "2000", "--token-lifetime-seconds",
                    Integer.toString(TOKEN_LIFETIME_SECONDS)), Map.of());
            await(() -> get("http://127.0.0.1:" + simulatorPort + "/simulator/counts") == 200, 30, "the simulator");
            for (Instance instance : instances) {
                startGateway(instance);
            }
            setUpAccount();

            Load load = new Load();
            load.start();
            long started = System.nanoTime();
            Thread faulty = new Thread(() -> {
                try {
                    fault.inject();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "fault");
            faulty.start();
            Thread.sleep(LOAD_SECONDS * 1000L);
            faulty.join();
            load.finish();
            try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + mongoPort)) {
                MongoDatabase db = client.getDatabase("voip");
                // settled: every request has its outcome, the simulator has nothing more to report, and the
                // sweeper's look (every 5 s here) has freed the slots of calls that ended
                long deadline = System.currentTimeMillis() + 180_000;
                long lastSent = -1;
                while (System.currentTimeMillis() < deadline) {
                    long sent = simulatorCounts().path("callbacks.sent").asLong();
                    if (withoutOutcome(db, load) == 0 && sent == lastSent && slotsLeaked(db) == 0) {
                        break;
                    }
                    lastSent = sent;
                    Thread.sleep(5_000);
                }
                writeProblems(db, load, name);
                JsonNode counts = simulatorCounts();
                Files.writeString(LOGS.resolve(name + "-simulator-counts.json"), counts.toPrettyString());
                double seconds = (System.nanoTime() - started) / 1e9;
                outcome = new Outcome(scenario, load.keys().size(), counts.path("calls.placed").asLong(),
                        counts.path("calls.dialledTwice").asLong(), callbacksLost(db), withoutOutcome(db, load),
                        slotsLeaked(db), slotsFreedBySweeper(name), counts.path("callbacks.sent").asLong()
                                - counts.path("callbacks.acknowledged").asLong(), scheduledTwice(db),
                        counts.path("dials.mostInOneSecond").asLong(),
                        counts.path("requests.sanspbx.gentoken").asLong(),
                        (long) Math.ceil(seconds / (TOKEN_LIFETIME_SECONDS - TOKEN_MARGIN_SECONDS)), seconds,
                        usageCalls(db), endedByReport(db));
                return outcome;
            }
        } finally {
            List<Process> processes = new ArrayList<>(instances.stream().map(i -> i.process).toList());
            processes.addAll(java.util.Arrays.asList(simulator, mongo));
            for (Process process : processes) {
                if (process != null) {
                    process.destroyForcibly().waitFor();
                }
            }
            if (outcome != null && !outcome.clean()) {
                // kept for a look at what went wrong: the MongoDB file, the broker's journal
                Files.move(dir, LOGS.resolve(name + "-data"));
            } else {
                try (var files = Files.walk(dir)) {
                    for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    // --- the processes ---

    private void startMongo() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        mongo = java(scenarioName + "-mongo", List.of("-Xmx256m", "-cp", classPath, MongoProcess.class.getName(),
                Integer.toString(mongoPort), dir.resolve("mongo.mv.db").toString()), Map.of());
        await(() -> {
            try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", mongoPort)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, 30, "the MongoDB wire server");
    }

    private void startGateway(Instance instance) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", Integer.toString(instance.port));
        env.put("PUBLIC_BASE_URL", "http://127.0.0.1:" + instance.port);
        env.put("VOIP_MANAGEMENT_PORT", Integer.toString(instance.managementPort));
        env.put("VOIP_CLUSTER_MEMBER_NAME", "instance-" + instance.index);
        env.put("VOIP_CLUSTER_LEASE_SECONDS", "6");
        env.put("SANSPBX_TOKEN_REFRESH_MARGIN_SECONDS", Integer.toString(TOKEN_MARGIN_SECONDS));
        env.put("VOIP_CALLING_WINDOW_PROMOTIONAL", promotionalWindow);
        env.put("VOIP_DATA_DIR", dir.resolve("gateway-" + instance.index).toString());
        env.put("VOIP_ENCRYPTION_KEY", KEY);
        env.put("VOIP_BOOTSTRAP_API_KEY", API_KEY);
        env.put("MONGODB_URI", "mongodb://127.0.0.1:" + mongoPort);
        env.put("MONGODB_SERVER_SELECTION_TIMEOUT_MS", "2000");
        env.put("BROKER_EMBEDDED_PORT", Integer.toString(instance.brokerPort));
        env.put("BROKER_USERNAME", BROKER_USER);
        env.put("BROKER_PASSWORD", BROKER_PASSWORD);
        if (bus == Bus.RABBITMQ) {
            env.put("BROKER_URL", RabbitMqBroker.shared().url() + RabbitMqBroker.CLIENT_OPTIONS);
            env.put("BROKER_USERNAME", RabbitMqBroker.USER);
            env.put("BROKER_PASSWORD", RabbitMqBroker.PASSWORD);
        } else if (bus == Bus.KAFKA) {
            String brokers = KafkaBroker.shared().brokers();
            env.put("CALLS_QUEUE_URI", "kafka:voip.outbound-calls?brokers=" + brokers
                    + "&groupId=voip-gateway&autoOffsetReset=earliest&sessionTimeoutMs=10000");
            env.put("CALLS_EVENTS_URI", "kafka:voip.call-events?brokers=" + brokers);
            env.put("CALLS_DEAD_LETTER_URI", "kafka:voip.outbound-calls.dead-letter?brokers=" + brokers);
        }
        env.put("VOIP_ALLOW_HTTP_PROVIDERS", "true");
        env.put("VOIP_ALLOWED_PROVIDER_HOSTS", "127.0.0.1");
        env.put("VOIP_RATE_LIMIT_REQUESTS", "1000000");
        // a dial's claim outlives four provider requests at these timeouts: a killed dial settles in 30 s
        env.put("VOIP_PROVIDER_CONNECT_TIMEOUT_MS", "1000");
        env.put("VOIP_PROVIDER_RESPONSE_TIMEOUT_MS", "5000");
        env.put("VOIP_DIAL_CLAIM_SECONDS", "30");
        env.put("VOIP_ROUTES_RELOAD", "false");
        env.put("VOIP_SWEEPER_PERIOD_MS", "5000");
        instance.process = java(scenarioName + "-service" + (instance.index == 0 ? "" : "-" + instance.index),
                List.of("-XX:+UseSerialGC", "-Xmx256m", "-jar", "target/voip-gateway.jar"), env);
        await(() -> get("http://127.0.0.1:" + instance.port + "/health") == 200, 90, "the service");
    }

    private Process java(String name, List<String> args, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File("."))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOGS.resolve(name + ".log").toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    private interface Check {
        boolean done() throws Exception;
    }

    private static void await(Check check, int seconds, String what) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (check.done()) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(what + " did not come up in " + seconds + " s (logs in " + LOGS + ")");
    }

    // --- the service's and the simulator's API ---

    private void setUpAccount() throws Exception {
        Map<String, Object> account = voipgateway.simulator.LoopbackSimulator.sansPbxAccount(simulatorPort);
        account.put("callsPerSecond", CALLS_PER_SECOND);
        account.put("maxConcurrentCalls", 200);
        HttpResponse<String> added = api("POST", "/voip/add-provider", JSON.writeValueAsString(account), null);
        if (added.statusCode() != 201) {
            throw new IllegalStateException("add-provider: " + added.statusCode() + " " + added.body());
        }
        String number = JSON.readTree(added.body()).at("/provider/dids/0/id").asText();
        HttpResponse<String> assigned = api("PUT", "/voip/assign-number/" + number, "{\"agentId\": \"" + AGENT + "\"}",
                null);
        if (assigned.statusCode() != 200) {
            throw new IllegalStateException("assign-number: " + assigned.statusCode() + " " + assigned.body());
        }
    }

    private HttpResponse<String> api(String method, String path, String body, String key) throws Exception {
        return api(instances.get(0), method, path, body, key);
    }

    private HttpResponse<String> api(Instance instance, String method, String path, String body, String key)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + API_KEY)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void simulatorSettings(String json) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulatorPort + "/simulator/settings"))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.discarding());
    }

    private JsonNode simulatorCounts() throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + simulatorPort + "/simulator/counts")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    // --- the load ---

    /** REST callers retrying each call with its key until it is answered, and a queue producer. */
    private final class Load {
        private final Set<String> restKeys = ConcurrentHashMap.newKeySet();
        private final Set<String> queueKeys = ConcurrentHashMap.newKeySet();
        private final Set<String> unanswered = ConcurrentHashMap.newKeySet();
        /** Each REST request's last answer (status code, or the exception), for the problems file. */
        private final Map<String, String> lastAnswers = new ConcurrentHashMap<>();
        private final AtomicInteger numbers = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean stopping;

        void start() {
            for (int i = 0; i < 4; i++) {
                int caller = i;
                threads.add(new Thread(() -> callOverRest(caller, "rest-", false), "rest-caller-" + i));
            }
            if (!promotionalWindow.isEmpty()) {
                // promotional calls before their window opens: scheduled, dialled by the leader once it does
                threads.add(new Thread(() -> callOverRest(4, "sched-", true), "scheduling-caller"));
            }
            threads.add(new Thread(bus == Bus.KAFKA ? this::sendToKafka : this::sendToTheQueue, "queue-producer"));
            threads.forEach(Thread::start);
        }

        /** No new requests; the ones begun are retried until answered (at most 3 minutes). */
        void finish() throws InterruptedException {
            stopping = true;
            for (Thread thread : threads) {
                thread.join(200_000);
            }
        }

        Set<String> keys() {
            Set<String> all = ConcurrentHashMap.newKeySet();
            all.addAll(restKeys);
            all.addAll(queueKeys);
            return all;
        }

        private Map<String, Object> request() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("agentId", AGENT);
            body.put("leadId", "507f1f77bcf86cd799439013");
            body.put("toPhone", String.format("+91 9%09d", numbers.incrementAndGet()));
            body.put("purpose", "service");
            return body;
        }

        /** Calls over REST, each retried with its key until answered, on the next instance each time. */
        private void callOverRest(int caller, String prefix, boolean scheduled) {
            int attempt = caller;
            while (!stopping) {
                String key = prefix + java.util.UUID.randomUUID();
                restKeys.add(key);
                unanswered.add(key);
                try {
                    Map<String, Object> request = request();
                    if (scheduled) {
                        request.put("purpose", "promotional");
                        request.put("schedule", true);
                    }
                    String body = JSON.writeValueAsString(request);
                    long giveUpAt = System.currentTimeMillis() + 180_000;
                    while (System.currentTimeMillis() < giveUpAt) {
                        try {
                            HttpResponse<String> answer = api(instances.get(attempt++ % instances.size()), "POST",
                                    "/calls/outbound", body, key);
                            int status = answer.statusCode();
                            lastAnswers.put(key, status + " " + answer.body());
                            // 409 in progress, 429 paced, 5xx unavailable: the same request again, later
                            if (status != 409 && status != 429 && status < 500) {
                                unanswered.remove(key);
                                break;
                            }
                        } catch (IOException e) {
                            // the service is not there: the same request again, later
                            lastAnswers.put(key, e.toString());
                        }
                        Thread.sleep(500);
                    }
                    Thread.sleep(300);
                } catch (Exception e) {
                    lastAnswers.put("caller " + Thread.currentThread().getName(), "stopped by " + e);
                    return;
                }
            }
        }

        private void sendToTheQueue() {
            jakarta.jms.ConnectionFactory factory = bus == Bus.RABBITMQ
                    ? new org.apache.qpid.jms.JmsConnectionFactory(RabbitMqBroker.USER, RabbitMqBroker.PASSWORD,
                            RabbitMqBroker.shared().url() + RabbitMqBroker.CLIENT_OPTIONS)
                    : new ActiveMQConnectionFactory("tcp://127.0.0.1:" + instances.get(0).brokerPort, BROKER_USER,
                            BROKER_PASSWORD);
            int sequence = 0;
            while (!stopping) {
                String key = "queue-" + (++sequence);
                String body;
                try {
                    Map<String, Object> request = request();
                    request.put("requestId", key);
                    body = JSON.writeValueAsString(request);
                } catch (Exception e) {
                    return;
                }
                // sent when the broker has it on disk; while it is down, tried again
                while (!queueKeys.contains(key) && !stopping) {
                    try (Connection connection = factory.createConnection();
                            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                        MessageProducer producer = session.createProducer(session.createQueue("voip.outbound-calls"));
                        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                        producer.send(session.createTextMessage(body));
                        queueKeys.add(key);
                    } catch (Exception e) {
                        sleep(1_000);
                    }
                }
                sleep(250);
            }
        }

        private void sendToKafka() {
            Map<String, Object> settings = Map.of("bootstrap.servers", KafkaBroker.shared().brokers(), "acks", "all",
                    "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings)) {
                int sequence = 0;
                while (!stopping) {
                    String key = "queue-" + (++sequence);
                    Map<String, Object> request = request();
                    request.put("requestId", key);
                    // sent when the broker has it (acks=all)
                    producer.send(new ProducerRecord<>("voip.outbound-calls", key, JSON.writeValueAsString(request)))
                            .get();
                    queueKeys.add(key);
                    sleep(250);
                }
            } catch (Exception e) {
                lastAnswers.put("caller queue-producer", "stopped by " + e);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- what must be 0 ---

    /** Requests whose call is not stored, or still pending or dialing; REST requests never answered. */
    private static int withoutOutcome(MongoDatabase db, Load load) {
        Map<String, String> statuses = new ConcurrentHashMap<>();
        db.getCollection("calls").find().projection(new Document("idempotencyKey", 1).append("status", 1))
                .forEach(call -> {
                    if (call.getString("idempotencyKey") != null) {
                        statuses.put(call.getString("idempotencyKey"), call.getString("status"));
                    }
                });
        int missing = load.unanswered.size();
        for (String key : load.keys()) {
            String status = statuses.get(key);
            if (status == null || CallLifecycle.PENDING.equals(status) || CallLifecycle.DIALING.equals(status)) {
                missing++;
            }
        }
        return missing;
    }

    /** Each request without an outcome: its key, its stored status, the last answer a REST caller had. */
    private static void writeProblems(MongoDatabase db, Load load, String name) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String key : load.keys()) {
            Document call = db.getCollection("calls").find(new Document("idempotencyKey", key)).first();
            String status = call == null ? null : call.getString("status");
            if (load.unanswered.contains(key) || status == null || CallLifecycle.PENDING.equals(status)
                    || CallLifecycle.DIALING.equals(status)) {
                lines.add(key + " stored " + status + ", last answer " + load.lastAnswers.get(key)
                        + (call == null ? "" : " " + call.toJson()));
            }
        }
        load.lastAnswers.forEach((key, answer) -> {
            if (key.startsWith("caller ")) {
                lines.add(key + " " + answer);
            }
        });
        // the calls whose slots the sweeper's look freed: how their release was lost
        try (var log = Files.lines(LOGS.resolve(name + "-service.log"))) {
            for (String line : log.filter(l -> l.contains("still held pacing slot")).toList()) {
                java.util.regex.Matcher call = java.util.regex.Pattern.compile("call (\\p{XDigit}{24}) ").matcher(line);
                Document stored = call.find() ? db.getCollection("calls")
                        .find(new Document("_id", new org.bson.types.ObjectId(call.group(1)))).first() : null;
                lines.add(line + (stored == null ? "" : " " + stored.toJson()));
            }
        }
        Files.write(LOGS.resolve(name + "-problems.txt"), lines);
    }

    /** The calls the simulator took, each with the call as stored (null when it is not). */
    private Map<JsonNode, Document> simulatorCalls(MongoDatabase db) throws Exception {
        JsonNode calls = JSON.readTree(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + simulatorPort + "/simulator/calls")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        Map<JsonNode, Document> stored = new LinkedHashMap<>();
        for (JsonNode call : calls) {
            stored.put(call, db.getCollection("calls")
                    .find(new Document("_id", new org.bson.types.ObjectId(call.path("call").asText()))).first());
        }
        return stored;
    }

    /** Final reports the service answered 2xx whose status the call does not have. */
    private int callbacksLost(MongoDatabase db) throws Exception {
        int lost = 0;
        for (var call : simulatorCalls(db).entrySet()) {
            if (call.getKey().path("finalAcknowledged").asBoolean()) {
                Document stored = call.getValue();
                if (stored == null || !"completed".equals(stored.getString("status"))) {
                    lost++;
                }
            }
        }
        return lost;
    }

    /** The calls the days' usage roll-ups count, all tenants and days. */
    private static long usageCalls(MongoDatabase db) {
        long counted = 0;
        for (Document day : db.getCollection("usage_daily").find()) {
            Number calls = day.get("total", new Document()).get("calls", Number.class);
            counted += calls == null ? 0 : calls.longValue();
        }
        return counted;
    }

    /** The calls a provider's report ended: each is counted once in its day's usage. */
    private static long endedByReport(MongoDatabase db) {
        return db.getCollection("calls").countDocuments(new Document("statusHistory.status", new Document("$in",
                List.of("completed", "busy", "no-answer", "failed", "canceled"))));
    }

    /** Scheduled calls (REST keys "sched-...") the simulator took more than once. */
    private long scheduledTwice(MongoDatabase db) throws Exception {
        long twice = 0;
        for (var call : simulatorCalls(db).entrySet()) {
            if (call.getKey().path("placed").asInt() > 1) {
                Document stored = call.getValue();
                if (stored != null && String.valueOf(stored.getString("idempotencyKey")).startsWith("sched-")) {
                    twice++;
                }
            }
        }
        return twice;
    }

    /** Slots the sweeper's look freed: their calls had ended, but the slot's release had been lost. */
    private static long slotsFreedBySweeper(String name) throws IOException {
        Path log = LOGS.resolve(name + "-service.log");
        try (var lines = Files.lines(log)) {
            return lines.filter(line -> line.contains("still held pacing slot")).count();
        }
    }

    /** Slots still held by a call that ended, was never dialled, or is not stored. */
    private static int slotsLeaked(MongoDatabase db) {
        List<Object> holders = new ArrayList<>();
        db.getCollection("live").find().forEach(held -> holders.add(held.get("_id")));
        db.getCollection("slots").find(new Document("call", new Document("$ne", null)))
                .forEach(held -> holders.add(held.get("call")));
        int leaked = 0;
        for (Object holder : holders) {
            Document call = db.getCollection("calls").find(new Document("_id", holder)).first();
            String status = call == null ? null : call.getString("status");
            if (status == null || CallLifecycle.isTerminal(status) || CallLifecycle.PENDING.equals(status)
                    || CallLifecycle.SCHEDULED.equals(status)) {
                leaked++;
            }
        }
        return leaked;
    }
}

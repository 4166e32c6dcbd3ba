package voipgateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import voipgateway.calls.CallbackTokens;
import voipgateway.compliance.DoNotCall;
import voipgateway.crypto.CredentialCipher;
import voipgateway.queue.EmbeddedBroker;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * Starts the service exactly as {@code java -jar} does (same routes, same application.properties), on a free
 * port, with the embedded MongoDB server in a temporary data directory, and SansPBX played by WireMock on
 * loopback. Tests talk to it over HTTP and read MongoDB over its socket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GatewayTestSupport {

    protected static final String KEY = "test-encryption-key-0123456789";
    protected static final String API_KEY = "test-api-key-of-tenant-default";
    protected static final String ACCESS_TOKEN = "0123456789abcdef0123456789abcdef";
    protected static final String ACCESS_KEY = "demo-access-key";
    protected static final String USERNAME = "demo-user";
    protected static final String PASSWORD = "Demo@&1234!#";
    protected static final String DID = "0124-6000001";
    protected static final String AGENT = "507f1f77bcf86cd799439012";
    protected static final String LEAD = "507f1f77bcf86cd799439013";
    protected static final String GENTOKEN = "/pbxadmin/sanpbxapi/gentoken";
    protected static final String DIALCALL = "/pbxadmin/sanpbxapi/dialcall";

    protected static final ObjectMapper JSON = new ObjectMapper();
    /** Copies of the shipped routes the tests of a class made ({@link #copyOfShippedRoutes}), deleted after it. */
    private static final java.util.Queue<Path> ROUTE_COPIES = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** HTTP/1.1, as dialers speak it (the JDK's default tries an h2c upgrade first). */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    protected WireMockServer pbx;
    protected Main gateway;
    protected Path dataDir;
    protected int port;
    protected int brokerPort;
    protected int managementPort;

    /** Extra settings for a test class, on top of application.properties. */
    protected Map<String, String> properties() {
        return Map.of();
    }

    /** Never to be seen in a log line, an answer or a raw MongoDB document, in any test. */
    private static final String[] SECRETS = {ACCESS_TOKEN, ACCESS_KEY, PASSWORD, KEY, API_KEY,
            "ZGVtby11c2VyOkRlbW9AJjEyMzQhIw=="};

    private final List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    /** What the service logs while this class runs: the secret scan reads it. */
    private LogCapture logs;

    /** After every test of every class: the secrets it used appear nowhere the service wrote or answered. */
    @AfterEach
    void scanForSecrets() {
        List<String> leaks = new ArrayList<>();
        String logged = logs.text();
        List<String> answered;
        synchronized (answers) {
            answered = new ArrayList<>(answers);
        }
        for (String secret : secrets()) {
            if (logged.contains(secret)) {
                leaks.add("the log holds " + secret);
            }
            answered.stream().filter(a -> a != null && a.contains(secret)).findFirst()
                    .ifPresent(a -> leaks.add("an answer holds " + secret + ": " + a));
            for (String name : new String[] {"voipproviders", "voipnumbers", "agents", "calls", "orphancallbacks",
                    "tenants", "apikeys", "sanspbxtokens", "webhooks", "webhook_deliveries"}) {
                // in batches: the embedded server answers a find without one in a single reply, which the driver
                // refuses beyond 48 MB (the benchmarks' 200,000 stored calls)
                for (org.bson.Document document : db().getCollection(name).find().batchSize(1000)) {
                    if (document.toJson().contains(secret)) {
                        leaks.add(name + " holds " + secret);
                        break;
                    }
                }
            }
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("secrets leaked:\n" + String.join("\n", leaks));
        }
    }

    /** The secrets the scan looks for; a test adds those it brings. */
    protected List<String> secrets() {
        return List.of(SECRETS);
    }

    /** What the service logged so far in this test class. */
    protected String capturedLogs() {
        return logs.text();
    }

    @AfterAll
    void releaseLogs() {
        logs.close();
    }

    @BeforeAll
    void startGateway() throws Exception {
        logs = new LogCapture("secret-scan-" + getClass().getSimpleName());
        startPbx();
        dataDir = Files.createTempDirectory("voip-gateway-test");
        // the finder releases a port as it answers it: the same number can come twice, also one a class fixed for
        // itself and has not bound yet (its mongodb.embedded-port)
        Set<Integer> taken = new HashSet<>();
        properties().forEach((name, value) -> {
            if (name.endsWith("port") && value.matches("[1-9][0-9]*")) {
                taken.add(Integer.parseInt(value));
            }
        });
        port = freePort(taken);
        brokerPort = freePort(taken);
        managementPort = freePort(taken);
        start();
    }

    /** A free port not among those taken, which it joins. */
    private static int freePort(Set<Integer> taken) {
        int free;
        do {
            free = AvailablePortFinder.getNextAvailable();
        } while (!taken.add(free));
        return free;
    }

    /** The SansPBX stand-in; a fixed port, so a test can stop it and start it again where the service expects it. */
    protected void startPbx() {
        pbx = new WireMockServer(wireMockConfig().port(AvailablePortFinder.getNextAvailable()).bindAddress("127.0.0.1"));
        pbx.start();
    }

    /** Settings a test changes between a stop() and a start(), over everything else. */
    protected final Map<String, String> gatewayProperties = new LinkedHashMap<>();

    protected void start() {
        gateway = Application.create();
        settings().forEach(gateway::addOverrideProperty);
        gateway.start();
        // the server listens before the last routes have started and answers 503 "starting" until then: a test's
        // first request waits for the service to be ready, as a client honouring Retry-After would
        Awaitility.await("the service answering").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> !starting());
    }

    /** Whether the service answers "starting" (a server speaking only TLS answers plain HTTP otherwise). */
    private boolean starting() throws InterruptedException {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(uri("/health")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 503 && answer.body().contains("\"starting\"");
        } catch (IOException e) {
            return false;
        }
    }

    /** The settings the service starts with: this class's, over the tests' own, over application.properties. */
    protected Map<String, String> settings() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("port", Integer.toString(port));
        props.put("voip.data-dir", dataDir.toString());
        props.put("voip.encryption-key", KEY);
        props.put("voip.bootstrap-api-key", API_KEY);
        // load and fuzz tests send far more than a client would; RateLimitTest sets its own limit
        props.put("voip.rate-limit-requests", "1000000");
        // fuzz tests send wrong keys by the hundred; RateLimitTest sets its own limit
        props.put("voip.auth.failures-per-minute", "1000000");
        // the stand-in PBX is plain http on loopback: allowed here as an operator would allow an internal PBX
        props.put("voip.allow-http-providers", "true");
        props.put("voip.allowed-provider-hosts", "127.0.0.1");
        props.put("camel.main.routes-reload-enabled", "false");
        props.put("broker.embedded-port", Integer.toString(brokerPort));
        props.put("voip.management-port", Integer.toString(managementPort));
        // tests run at any hour: no calling window unless a test sets one (CallingRulesTest)
        props.put("voip.calling-window.promotional", "");
        props.put("voip.scheduler-period-ms", "300");
        props.putAll(properties());
        props.putAll(gatewayProperties);
        return props;
    }

    protected void stop() {
        gateway.stop();
    }

    /**
     * The service as {@code java -jar} runs it, in a process of its own (this JVM's java and class path), with these
     * settings: what {@code kill -9} is tried on. Its output goes to {@code logName} in this class's data directory.
     */
    protected Process startAsItsOwnProcess(Map<String, String> settings, String logName) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path"))));
        settings.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.add(Application.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve(logName).toFile()).start();
    }

    /**
     * The settings of another instance of the service beside this one: its own ports and data directory (so its own
     * embedded broker), this one's MongoDB (which the class must put on a fixed {@code mongodb.embedded-port}).
     */
    protected Map<String, String> anotherInstance(String name) throws IOException {
        Map<String, String> settings = settings();
        String mongoPort = settings.get("mongodb.embedded-port");
        if (mongoPort == null || "0".equals(mongoPort)) {
            throw new IllegalStateException("set mongodb.embedded-port to share this instance's MongoDB");
        }
        settings.put("mongodb.uri", "mongodb://127.0.0.1:" + mongoPort);
        settings.put("voip.data-dir", Files.createDirectories(dataDir.resolve(name)).toString());
        Set<Integer> taken = new HashSet<>(List.of(port, brokerPort, managementPort, Integer.parseInt(mongoPort)));
        for (String setting : new String[] {"port", "broker.embedded-port", "voip.management-port"}) {
            settings.put(setting, Integer.toString(freePort(taken)));
        }
        return settings;
    }

    @AfterAll
    void stopGateway() throws Exception {
        try {
            scanBrokerForSecrets();
        } finally {
            stop();
            pbx.stop();
            // each class's MongoDB file and broker journal (tens of MB) would otherwise pile up in the temp directory
            deleteTree(dataDir);
            for (Path copy = ROUTE_COPIES.poll(); copy != null; copy = ROUTE_COPIES.poll()) {
                deleteTree(copy);
            }
        }
    }

    /** A directory and all it holds. */
    protected static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * After every test class: no secret in any message the broker holds (body or property), nor in its journal
     * files on disk (where Artemis writes text as UTF-16 or UTF-8).
     */
    private void scanBrokerForSecrets() throws Exception {
        EmbeddedBroker broker = gateway.getCamelContext().getRegistry().lookupByNameAndType("embeddedBroker",
                EmbeddedBroker.class);
        if (broker == null || !broker.server().isActive()) {
            return;
        }
        List<String> leaks = new ArrayList<>();
        ConnectionFactory factory = gateway.getCamelContext().getRegistry().lookupByNameAndType(
                "jmsConnectionFactory", ConnectionFactory.class);
        try (Connection connection = factory.createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            for (String queue : broker.server().getActiveMQServerControl().getQueueNames()) {
                Enumeration<?> messages = session.createBrowser(session.createQueue(queue)).getEnumeration();
                while (messages.hasMoreElements()) {
                    jakarta.jms.Message message = (jakarta.jms.Message) messages.nextElement();
                    StringBuilder text = new StringBuilder(message instanceof TextMessage t ? t.getText() : "");
                    for (Enumeration<?> names = message.getPropertyNames(); names.hasMoreElements();) {
                        String name = (String) names.nextElement();
                        text.append(' ').append(name).append('=').append(message.getObjectProperty(name));
                    }
                    secrets().stream().filter(secret -> text.toString().contains(secret))
                            .forEach(secret -> leaks.add("queue " + queue + " holds " + secret + ": " + text));
                }
            }
        }
        try (var files = Files.walk(dataDir.resolve("artemis"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String secret : secrets()) {
                    for (var charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE)) {
                        if (bytes.contains(new String(secret.getBytes(charset), StandardCharsets.ISO_8859_1))) {
                            leaks.add(file.getFileName() + " holds " + secret + " (" + charset + ")");
                        }
                    }
                }
            }
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("secrets reached the broker:\n" + String.join("\n", leaks));
        }
    }

    @BeforeEach
    void cleanState() {
        pbx.resetAll();
        // do-not-call lists emptied behind the service's back: counted as changed, as the API would
        List<String> listing = db().getCollection("dnc").distinct("userId", String.class).into(new ArrayList<>());
        for (String name : new String[] {"voipproviders", "voipnumbers", "agents", "calls", "orphancallbacks", "dnc",
                "schedule"}) {
            db().getCollection(name).deleteMany(new org.bson.Document());
        }
        DoNotCall doNotCall = gateway.getCamelContext().getRegistry().lookupByNameAndType("doNotCall", DoNotCall.class);
        listing.forEach(doNotCall::changed);
    }

    /** The namespace of the lease the timers' routes follow. */
    protected static final String CLUSTER_NAMESPACE = "voip-gateway";

    /** A cluster gauge of an instance as its /metrics shows it, or -1 while it does not answer. */
    protected double clusterGauge(int management, String name) {
        try {
            String text = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/metrics"))
                    .GET()).body();
            Matcher value = Pattern.compile("(?m)^" + name + "\\{namespace=\"" + CLUSTER_NAMESPACE + "\"} (\\S+)$")
                    .matcher(text);
            return value.find() ? Double.parseDouble(value.group(1)) : -1;
        } catch (Exception notYet) {
            return -1;
        }
    }

    protected ServiceStatus routeStatus(String routeId) {
        return gateway.getCamelContext().getRouteController().getRouteStatus(routeId);
    }

    /** The call as stored, by its id. */
    protected org.bson.Document storedCall(String id) {
        return db().getCollection("calls").find(new org.bson.Document("_id", new org.bson.types.ObjectId(id))).first();
    }

    protected MongoDatabase db() {
        return gateway.getCamelContext().getRegistry().lookupByNameAndType("mongo", MongoClient.class)
                .getDatabase("voip");
    }

    /** The per-call token a SansPBX callback URL carries, as the service computes it from the encryption key. */
    protected static String callbackToken(String callId) {
        return callbackToken("SansPBX", callId);
    }

    /** The per-call token the callback URL of a call placed through this provider carries. */
    protected static String callbackToken(String provider, String callId) {
        return new CallbackTokens(new CredentialCipher(KEY)).tokenFor(provider, callId);
    }

    // --- SansPBX stand-in ---

    protected String pbxUrl(String path) {
        return "http://127.0.0.1:" + pbx.port() + path;
    }

    protected void pbxIssuesToken(String token, String expiryTime) {
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"Apitoken\":\"" + token + "\",\"expiry_time\":\"" + expiryTime
                        + "\"}")));
    }

    protected void pbxDials(String answer) {
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(answer)));
    }

    // --- the service's API ---

    protected Map<String, Object> providerBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", "SansPBX");
        body.put("tokenEndpoint", pbxUrl(GENTOKEN));
        body.put("dialEndpoint", pbxUrl(DIALCALL));
        body.put("accessToken", ACCESS_TOKEN);
        body.put("accessKey", ACCESS_KEY);
        body.put("appId", "6");
        body.put("username", USERNAME);
        body.put("password", PASSWORD);
        body.put("did", DID);
        return body;
    }

    /** Adds the spec's account and gives its DID to {@link #AGENT}; answers the number id. */
    protected String providerWithAgent() throws Exception {
        return lineOf(providerBody());
    }

    /** Adds this account and gives its DID to {@link #AGENT}; answers the number id. */
    protected String lineOf(Map<String, Object> account) throws Exception {
        Response added = send("POST", "/voip/add-provider", account);
        if (added.status() != 201) {
            throw new AssertionError("add-provider failed: " + added);
        }
        String numberId = added.json().at("/provider/dids/0/id").asText();
        Response assigned = send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT));
        if (assigned.status() != 200) {
            throw new AssertionError("assign-number failed: " + assigned);
        }
        pbx.resetRequests();
        return numberId;
    }

    /**
     * {@link #providerWithAgent}, with the stand-in PBX issuing this token (good for years) and taking every dial
     * as this call id; answers the number id.
     */
    protected String lineThatDials(String token, String callId) throws Exception {
        pbxIssuesToken(token, "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"" + callId + "\"}");
        return providerWithAgent();
    }

    /** The spec's account with the demo simulator's endpoints on this service's port. */
    protected Map<String, Object> simulatorProviderBody() {
        String simulator = "http://localhost:" + port + "/simulator/sanspbx/pbxadmin/sanpbxapi/";
        Map<String, Object> body = providerBody();
        body.put("tokenEndpoint", simulator + "gentoken");
        body.put("dialEndpoint", simulator + "dialcall");
        return body;
    }

    /** SansPBX's post-call report of a call, with the call's URL token. */
    protected Response sansPbxCallback(String callId, String disposition) throws Exception {
        return send("POST", "/callbacks/sanspbx/status?call=" + callId + "&token=" + callbackToken(callId),
                Map.of("Linkedid", "12345", "disposition", disposition, "duration", "42", "billsec", "37",
                        "end_time", "2026-02-14 15:36:08", "custom_field", Map.of("record_id", callId)));
    }

    /**
     * Settings that load and watch a copy of the shipped routes/ in a directory of its own (answered first), for
     * a test that edits route files.
     */
    protected static Map.Entry<Path, Map<String, String>> copyOfShippedRoutes() {
        try {
            Path routes = Files.createTempDirectory("routes");
            ROUTE_COPIES.add(routes);
            Files.createDirectory(routes.resolve("providers"));
            for (String directory : List.of("", "providers")) {
                try (var files = Files.list(Path.of("routes", directory))) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(file, routes.resolve(directory).resolve(file.getFileName()));
                    }
                }
            }
            return Map.entry(routes, Map.of("camel.main.routes-include-pattern",
                    "file:" + routes + "/*.yaml,file:" + routes + "/providers/*.yaml",
                    "voip.routes-reload-directory", routes.toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    protected Response call(String toPhone) throws Exception {
        return send("POST", "/calls/outbound", Map.of("agentId", AGENT, "leadId", LEAD, "toPhone", toPhone));
    }

    /** A call with an Idempotency-Key: the same key again is the same request. */
    protected Response callWithKey(String key, String toPhone) throws Exception {
        return callWithKey(key, Map.of("toPhone", toPhone));
    }

    /** {@link #AGENT} calls {@link #LEAD} with these fields (toPhone, purpose, schedule, ...) under the key. */
    protected Response callWithKey(String key, Map<String, Object> fields) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("agentId", AGENT, "leadId", LEAD));
        body.putAll(fields);
        return send(HttpRequest.newBuilder(uri("/calls/outbound"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .header("Authorization", "Bearer " + API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    /** A form-encoded POST (a provider's status callback), with an X-Twilio-Signature when one is given. */
    protected Response postForm(String path, Map<String, Object> form, String twilioSignature) throws Exception {
        String body = form.entrySet().stream().map(e -> e.getKey() + "="
                + java.net.URLEncoder.encode(e.getValue().toString(), java.nio.charset.StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (twilioSignature != null) {
            request.header("X-Twilio-Signature", twilioSignature);
        }
        return send(request);
    }

    protected Response send(String method, String path, Object body) throws Exception {
        String text = body instanceof String s ? s : JSON.writeValueAsString(body);
        return sendRaw(method, path, "application/json", text);
    }

    protected Response sendRaw(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        return sendAs(API_KEY, method, path, contentType, body);
    }

    /** A request with another API key (another tenant, or a wrong key). */
    protected Response sendAs(String apiKey, String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        request.header("Accept", "application/json");
        request.header("Authorization", "Bearer " + apiKey);
        return send(request);
    }

    /** Sends a request as built; its answer (body and headers) joins what the secret scan reads. */
    protected Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        answers.add(response.headers().map() + " " + response.body());
        return new Response(response.statusCode(), response.body(), response.headers().map());
    }

    /** Prometheus' scrape of the service, from its management port (loopback). */
    protected Response metrics() throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics")).GET());
    }

    /** A path on the service. */
    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    protected record Response(int status, String body, Map<String, List<String>> headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }
}

package voipgateway.flows;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import voipgateway.ExternalMongo;
import voipgateway.LogCapture;
import voipgateway.Schema;
import voipgateway.agents.AgentLines;
import voipgateway.agents.AgentStore;
import voipgateway.api.ErrorResponses;
import voipgateway.callbacks.DeferredCallbacks;
import voipgateway.calls.CallsConfiguration;
import voipgateway.calls.Verdict;
import voipgateway.config.Settings;
import voipgateway.crypto.CredentialCipher;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.numbers.NumberStore;
import voipgateway.pacing.PacingConfiguration;
import voipgateway.providers.ProviderAccount;
import voipgateway.providers.ProviderAdapters;
import voipgateway.providers.ProviderStore;
import voipgateway.queue.QueuedCalls;
import voipgateway.storage.Collections;
import voipgateway.storage.MongoOutages;
import voipgateway.tenants.ApiKeys;
import voipgateway.tenants.KeyGuesses;
import voipgateway.tenants.RateLimits;

/**
 * Route tests of the API's flows: the shipped route files a test names ({@link #routeFiles()}, always with
 * {@code error-handling.yaml}, which authenticates and answers failures) with their real beans on a MongoDB wire
 * server, and the provider a route of this class's ({@code direct:test-dial}, {@code direct:test-hangup}) whose
 * behaviour a test sets ({@link #provider}). The edges a flow does not own are advised ({@link #lineAndRulesGiven},
 * {@link #accountGiven}). Requests carry the bootstrap API key of tenant {@code default}.
 */
abstract class FlowTestSupport extends CamelTestSupport {

    static final String API_KEY = "a-route-test-api-key";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    /** One wire server for a class's tests (each test starts with empty collections). */
    private static ExternalMongo mongo;

    /** The account every call of these tests goes through: its adapter is this class's route. */
    final ProviderAccount account = new ProviderAccount(new ObjectId().toHexString(), 1, "Test", "test", Map.of(),
            List.of(), limits());
    /** The meters the routes count in ({@code gatewayMetrics}). */
    PrometheusMeterRegistry meters;
    private LogCapture logs;
    MongoClient client;
    MongoDatabase db;
    MongoCollection<Document> calls;
    /** What the calling rules say of every call ({@link #lineAndRulesGiven}). */
    volatile Verdict verdict = Verdict.DIAL;
    /** The provider: by default it takes every dial (call id {@code pbx-1}) and every hang-up. */
    volatile Processor provider = exchange -> {
    };

    @BeforeAll
    static void startMongo() {
        mongo = new ExternalMongo(dir.resolve("mongo.h2"));
    }

    @AfterAll
    static void stopMongo() {
        mongo.stop();
    }

    /** Settings the routes read, over the few every flow needs. */
    Map<String, String> settings() {
        return Map.of();
    }

    /** Requests an API key may make (voip.rate-limit-*): by default more than any test makes. */
    RateLimits rateLimits() {
        return new RateLimits(1000, Duration.ofSeconds(1), 100, () -> 1);
    }

    /** The account's pacing limits. */
    ProviderAccount.Limits limits() {
        return ProviderAccount.Limits.NONE;
    }

    /** The shipped route files (under {@code routes/}) the flow runs through, besides error-handling.yaml. */
    abstract List<String> routeFiles();

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        // the routes are advised before the context starts
        configuration.withUseAdviceWith(true);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        // the shipped settings, as the service reads them, under these
        camel.getPropertiesComponent().setLocation("file:application.properties");
        Properties settings = new Properties();
        settings.put("port", "0");
        settings.put("mongodb.database", "voip");
        settings.put("calls.dead-letter.uri", "mock:dead-letter");
        settings.put("callbacks.dead-letter.uri", "mock:callbacks-dead-letter");
        settings.putAll(settings());
        camel.getPropertiesComponent().setOverrideProperties(settings);
        var loader = PluginHelper.getRoutesLoader(camel);
        loader.loadRoutes(ResourceHelper.resolveResource(camel, "file:routes/error-handling.yaml"));
        for (String file : routeFiles()) {
            loader.loadRoutes(ResourceHelper.resolveResource(camel, "file:routes/" + file));
        }
        return camel;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        logs = new LogCapture("flow-" + getClass().getSimpleName());
        client = MongoClients.create(mongo.uri());
        db = client.getDatabase("voip");
        db.drop();
        Schema.prepare(db);
        ApiKeys.bootstrap(db, API_KEY);
        calls = db.getCollection(Collections.CALLS);
        Clock clock = Clock.systemUTC();
        CredentialCipher cipher = new CredentialCipher("a test key of enough length");
        registry.bind("mongo", client);
        registry.bind("errorResponses", new ErrorResponses());
        registry.bind("mongoOutage", (Predicate) MongoOutages::during);
        registry.bind("queuedCalls", new QueuedCalls());
        registry.bind("deferredCallbacks", new DeferredCallbacks());
        registry.bind("apiKeys", new ApiKeys(Duration.ofSeconds(1), 100, new KeyGuesses(10, 100)));
        registry.bind("rateLimits", rateLimits());
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind("gatewayMetrics", new GatewayMetrics(meters));
        registry.bind("agentLines", new AgentLines(Duration.ofSeconds(1), 100));
        registry.bind("agentStore", new AgentStore());
        registry.bind("numberStore", new NumberStore());
        // no adapter asks for detection or a recording here: the check passes every dial through
        registry.bind("providerFeatures", new voipgateway.calls.ProviderFeatures(new ProviderAdapters()));
        registry.bind("providerStore", new ProviderStore(cipher, new ProviderAdapters(), ProviderAccount.Limits.NONE));
        // the calls' and the pacing's beans bound as the service binds them, from the settings
        Settings settings = new Settings(context().getPropertiesComponent());
        CallsConfiguration.Bound callBeans = new CallsConfiguration(settings).bind(context(), db, cipher, clock,
                voipgateway.calls.CallEvents.NONE);
        new PacingConfiguration(settings).bind(context(), db, callBeans, clock);
        // one instance: it always holds the lease (voipgateway.cluster)
        registry.bind("leaderOnly", new RoutePolicySupport() {
        });
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // the account's adapter, as an adapter file would declare it (docs/provider-adapters.md): a step
                // passing its failures up unchanged, for the API route to answer
                errorHandler(noErrorHandler());
                from("direct:test-dial").routeId("test-dial").setProperty("dialSent", constant(true))
                        .to("mock:provider").process(exchange -> provider.process(exchange))
                        .setProperty("providerCallId", constant("pbx-1"));
                from("direct:test-hangup").routeId("test-hangup").to("mock:provider-hangup")
                        .process(exchange -> provider.process(exchange));
            }
        };
    }

    @Override
    protected void doPostTearDown() {
        if (client != null) {
            client.close();
        }
        logs.close();
    }

    /** What the routes logged in this test (level, logger's last name, message). */
    String capturedLogs() {
        return logs.text();
    }

    /** The agent's line (a number of {@link #account}) and the calling rules' verdict, given: a call starts at the ledger. */
    void lineAndRulesGiven() throws Exception {
        lineAndRulesGiven(account);
    }

    /** The same, the line's account this one. */
    void lineAndRulesGiven(ProviderAccount lineAccount) throws Exception {
        AdviceWith.adviceWith(context, "dial-once", route -> {
            route.interceptSendToEndpoint("direct:find-agent-line").skipSendToOriginalEndpoint().process(exchange -> {
                exchange.setProperty("number", new Document("phoneNumber", "6000001").append("provider", "Test"));
                exchange.setProperty("account", lineAccount);
            });
            route.interceptSendToEndpoint("direct:check-calling-rules").skipSendToOriginalEndpoint()
                    .process(exchange -> exchange.setProperty("verdict", verdict));
        });
        outcomesNotPublished();
    }

    /** The broker's outcome events, not this flow's: a mock endpoint. */
    void outcomesNotPublished() throws Exception {
        AdviceWith.adviceWith(context, "place-outbound-call", route -> route
                .interceptSendToEndpoint("direct:publish-call-outcome").skipSendToOriginalEndpoint().to("mock:outcomes"));
    }

    /** The stored account a route reads ({@code voipproviders}) is {@link #account}. */
    void accountGiven(String routeId) throws Exception {
        AdviceWith.adviceWith(context, routeId, route -> {
            route.weaveByToString(".*collection=voipproviders.*").remove();
            route.weaveByToString("SetProperty\\[account.*").replace().process(exchange -> exchange.setProperty(
                    "account", account));
        });
    }

    /** A request to an API route, its answer's body read once (it may be a stream) and kept as text. */
    Exchange request(String endpoint, Processor request) {
        Exchange answer = template.request(endpoint, request);
        answer.getMessage().setBody(answer.getMessage().getBody(String.class));
        return answer;
    }

    /** POST /calls/outbound as the REST DSL hands it to its route. */
    Exchange call(String key, String body) {
        return request("direct:place-outbound-call", exchange -> {
            if (key != null) {
                exchange.getMessage().setHeader("Idempotency-Key", key);
            }
            exchange.getMessage().setHeader("Authorization", "Bearer " + API_KEY);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody(body);
        });
    }

    Exchange call(String key) {
        return call(key, "{\"agentId\":\"agent-1\",\"leadId\":\"lead-1\",\"toPhone\":\"09000000001\"}");
    }

    /** The answer's status code as platform-http sends it: 200 unless the route set one. */
    static int status(Exchange answer) {
        if (answer.getException() != null) {
            throw new AssertionError("no answer: the route failed", answer.getException());
        }
        Integer status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status == null ? 200 : status;
    }

    static String body(Exchange answer) {
        return answer.getMessage().getBody(String.class);
    }

    static JsonNode json(Exchange answer) throws Exception {
        return JSON.readTree(body(answer));
    }
}

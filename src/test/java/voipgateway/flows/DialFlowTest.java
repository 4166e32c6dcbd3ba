package voipgateway.flows;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.ExpressionBuilder;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import voipgateway.ExternalMongo;
import voipgateway.Schema;
import voipgateway.agents.AgentLines;
import voipgateway.agents.AgentStore;
import voipgateway.api.ErrorResponses;
import voipgateway.callbacks.DeferredCallbacks;
import voipgateway.calls.CallStore;
import voipgateway.calls.CallVersions;
import voipgateway.calls.CallbackTokens;
import voipgateway.calls.DialLedger;
import voipgateway.calls.ExpiredClaims;
import voipgateway.calls.Verdict;
import voipgateway.crypto.CredentialCipher;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.numbers.NumberStore;
import voipgateway.pacing.LiveCalls;
import voipgateway.pacing.Pacing;
import voipgateway.pacing.ScheduledCalls;
import voipgateway.providers.ProviderAccount;
import voipgateway.providers.ProviderAdapters;
import voipgateway.providers.ProviderStore;
import voipgateway.queue.QueuedCalls;
import voipgateway.storage.Collections;
import voipgateway.storage.MongoOutages;
import voipgateway.tenants.ApiKeys;
import voipgateway.tenants.KeyGuesses;
import voipgateway.tenants.RateLimits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST dial flow as its routes ship ({@code place-outbound-call.yaml}, {@code error-handling.yaml}) with its
 * real beans on a MongoDB wire server, the edges advised (the API key, the agent's line and the calling rules are
 * given; the adapter is a mock endpoint): what the client gets, what is stored, and how often the provider is asked,
 * also when the routes are edited so that their steps come out of order.
 */
class DialFlowTest extends CamelTestSupport {

    @TempDir
    static Path dir;

    /** One wire server for the class's tests (each test empties the calls). */
    private static ExternalMongo mongo;
    private final ProviderAccount account = new ProviderAccount(new ObjectId().toHexString(), 1, "Test", "test",
            Map.of(), List.of(), ProviderAccount.Limits.NONE);
    private MongoClient client;
    private MongoCollection<Document> calls;
    private volatile Verdict verdict = Verdict.DIAL;

    @BeforeAll
    static void startMongo() {
        mongo = new ExternalMongo(dir.resolve("mongo.h2"));
    }

    @AfterAll
    static void stopMongo() {
        mongo.stop();
    }

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        // the routes are advised before the context starts
        configuration.withUseAdviceWith(true);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        Properties settings = new Properties();
        settings.put("mongodb.database", "voip");
        settings.put("calls.dead-letter.uri", "mock:dead-letter");
        settings.put("callbacks.dead-letter.uri", "mock:callbacks-dead-letter");
        camel.getPropertiesComponent().setOverrideProperties(settings);
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.resolveResource(camel, "file:routes/place-outbound-call.yaml"),
                ResourceHelper.resolveResource(camel, "file:routes/error-handling.yaml"));
        return camel;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        client = MongoClients.create(mongo.uri());
        MongoDatabase db = client.getDatabase("voip");
        Schema.prepare(db);
        calls = db.getCollection(Collections.CALLS);
        calls.deleteMany(new Document());
        Clock clock = Clock.systemUTC();
        Duration lease = Duration.ofSeconds(60);
        CredentialCipher cipher = new CredentialCipher("a test key of enough length");
        registry.bind("mongo", client);
        registry.bind("errorResponses", new ErrorResponses());
        registry.bind("mongoOutage", (Predicate) MongoOutages::during);
        registry.bind("queuedCalls", new QueuedCalls());
        registry.bind("deferredCallbacks", new DeferredCallbacks());
        KeyGuesses guesses = new KeyGuesses(10, 100);
        registry.bind("apiKeys", new ApiKeys(Duration.ofSeconds(1), 100, guesses));
        registry.bind("rateLimits", new RateLimits(1000, Duration.ofSeconds(1), 100, () -> 1));
        registry.bind("gatewayMetrics", new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        registry.bind("agentLines", new AgentLines(Duration.ofSeconds(1), 100));
        registry.bind("agentStore", new AgentStore());
        registry.bind("numberStore", new NumberStore());
        registry.bind("providerStore", new ProviderStore(cipher, new ProviderAdapters(), ProviderAccount.Limits.NONE));
        registry.bind("scheduledCalls", new ScheduledCalls(clock));
        ExpiredClaims expiredClaims = new ExpiredClaims(lease, Duration.ZERO, clock, calls);
        registry.bind("pacing", new Pacing(db, new LiveCalls(db.getCollection(Collections.LIVE_CALLS)), expiredClaims,
                clock, Duration.ofHours(1), Duration.ZERO));
        CallVersions versions = new CallVersions(calls);
        registry.bind("dialLedger", new DialLedger(lease, calls, versions, new CallStore("",
                "https://gateway.example/callbacks/{provider}/status", new CallbackTokens(cipher)), clock, context()));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // the account's adapter: the provider takes every call
                from("direct:test-dial").setProperty("dialSent", constant(true)).to("mock:provider")
                        .setProperty("providerCallId", constant("pbx-1"));
            }
        };
    }

    @Override
    protected void doPostTearDown() {
        if (client != null) {
            client.close();
        }
    }

    /** The API key, the agent's line and the calling rules, given: the flow starts at the ledger. */
    private void edgesGiven() throws Exception {
        AdviceWith.adviceWith(context, "place-outbound-call", route -> route.interceptSendToEndpoint("direct:authenticate")
                .skipSendToOriginalEndpoint().setProperty("tenantId", ExpressionBuilder.constantExpression("tenant-a")));
        AdviceWith.adviceWith(context, "dial-once", route -> {
            route.interceptSendToEndpoint("direct:find-agent-line").skipSendToOriginalEndpoint().process(exchange -> {
                exchange.setProperty("number", new Document("phoneNumber", "6000001").append("provider", "Test"));
                exchange.setProperty("account", account);
            });
            route.interceptSendToEndpoint("direct:check-calling-rules").skipSendToOriginalEndpoint()
                    .process(exchange -> exchange.setProperty("verdict", verdict));
        });
    }

    @Test
    void aCallIsDialledOnceAndTheSameKeyAgainGetsTheStoredAnswer() throws Exception {
        edgesGiven();
        context.start();
        MockEndpoint provider = getMockEndpoint("mock:provider");
        NotifyBuilder dialled = new NotifyBuilder(context).fromRoute("place-outbound-call").whenCompleted(2)
                .create();

        Exchange first = call("key-1");
        Exchange again = call("key-1");

        assertTrue(dialled.matchesWaitTime());
        assertEquals(201, status(first), body(first));
        assertEquals(body(first), body(again));
        provider.expectedMessageCount(1);
        provider.assertIsSatisfied();
        Document stored = calls.find().first();
        assertEquals("initiated", stored.getString("status"));
        assertEquals("pbx-1", stored.getString("providerCallId"));
    }

    @Test
    void aCallTheRulesRefuseIsStoredRefusedAndNeverDialled() throws Exception {
        edgesGiven();
        context.start();
        verdict = new Verdict("refuse", "dnc", "the number is on the do-not-call list", null);
        AdviceWith.adviceWith(context, "place-outbound-call", route -> route
                .interceptSendToEndpoint("direct:publish-call-outcome").skipSendToOriginalEndpoint().to("mock:outcomes"));

        Exchange answer = call("key-1");

        assertEquals(422, status(answer), body(answer));
        assertTrue(body(answer).contains("\"reason\":\"dnc\""), body(answer));
        assertEquals("refused", calls.find().first().getString("status"));
        getMockEndpoint("mock:outcomes").expectedMessageCount(1);
        getMockEndpoint("mock:provider").expectedMessageCount(0);
        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void aRouteEditedToDialTwiceStillDialsOnce() throws Exception {
        edgesGiven();
        AdviceWith.adviceWith(context, "dial-claimed-call", route -> route.weaveByType(BeanDefinition.class)
                .selectIndex(1).after().bean("dialLedger", "dial"));
        context.start();

        Exchange answer = call("key-1");

        getMockEndpoint("mock:provider").expectedMessageCount(1);
        MockEndpoint.assertIsSatisfied(context);
        // the second dial was refused after the first went out, so its answer was never stored: the call's outcome
        // is unknown (the provider's callback tells), and it is never dialled again, for this key or any other
        assertEquals(202, status(answer), body(answer));
        assertEquals("unknown", calls.find().first().getString("status"));
        assertEquals(202, status(call("key-1")));
        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void aRouteEditedToDialWithoutTheClaimDialsNothing() throws Exception {
        edgesGiven();
        AdviceWith.adviceWith(context, "dial-once", route -> route.weaveByType(BeanDefinition.class).selectFirst()
                .remove());
        context.start();

        Exchange answer = call("key-1");

        assertEquals(500, status(answer), body(answer));
        getMockEndpoint("mock:provider").expectedMessageCount(0);
        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void aRouteEditedToSettleBeforeTheDialDialsNothingAndReleasesTheCall() throws Exception {
        edgesGiven();
        AdviceWith.adviceWith(context, "dial-claimed-call", route -> {
            route.weaveByType(BeanDefinition.class).selectIndex(2).remove();
            route.weaveByType(BeanDefinition.class).selectIndex(1).before().bean("dialLedger", "initiated");
        });
        context.start();

        Exchange answer = call("key-1");

        assertEquals(500, status(answer), body(answer));
        getMockEndpoint("mock:provider").expectedMessageCount(0);
        MockEndpoint.assertIsSatisfied(context);
        Document stored = calls.find().first();
        assertEquals("pending", stored.getString("status"), "released for a retry with its key");
    }

    private Exchange call(String key) {
        return template.request("direct:place-outbound-call", exchange -> {
            exchange.getMessage().setHeader("Idempotency-Key", key);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody("{\"agentId\":\"agent-1\",\"leadId\":\"lead-1\",\"toPhone\":\"09000000001\"}");
        });
    }

    private static int status(Exchange answer) {
        return answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    private static String body(Exchange answer) {
        return answer.getMessage().getBody(String.class);
    }
}

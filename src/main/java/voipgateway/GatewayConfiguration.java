package voipgateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

import com.mongodb.client.MongoDatabase;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Predicate;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.jms.JmsHeaderFilterStrategy;
import org.apache.camel.component.kafka.KafkaHeaderFilterStrategy;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;
import voipgateway.agents.AgentLines;
import voipgateway.agents.AgentStore;
import voipgateway.api.ErrorResponses;
import voipgateway.api.HttpFallbackAnswers;
import voipgateway.api.Json;
import voipgateway.api.OutgoingHeaders;
import voipgateway.callbacks.DeferredCallbacks;
import voipgateway.callbacks.FormCallbacks;
import voipgateway.callbacks.SansPbxCallbacks;
import voipgateway.callbacks.StatusEventStore;
import voipgateway.callbacks.TwilioSignatures;
import voipgateway.calls.CallStore;
import voipgateway.calls.CallVersions;
import voipgateway.calls.CallbackTokens;
import voipgateway.calls.Cancellations;
import voipgateway.calls.DialLedger;
import voipgateway.calls.ExpiredClaims;
import voipgateway.calls.Hangups;
import voipgateway.cluster.KubernetesLeases;
import voipgateway.cluster.MongoLeaseClusterService;
import voipgateway.compliance.CallingPolicy;
import voipgateway.compliance.CallingRules;
import voipgateway.compliance.CallingWindow;
import voipgateway.compliance.DoNotCall;
import voipgateway.compliance.DoNotCallLists;
import voipgateway.crypto.CredentialCipher;
import voipgateway.crypto.EncryptionKeys;
import voipgateway.demo.SansPbxSimulator;
import voipgateway.health.BrokerHealthCheck;
import voipgateway.health.HealthReport;
import voipgateway.health.MongoHealthCheck;
import voipgateway.health.QueueConsumerHealthCheck;
import voipgateway.health.ReadyLog;
import voipgateway.internals.AsyncHttpEngine;
import voipgateway.internals.HttpServerVertx;
import voipgateway.logging.CurrentExchange;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.metrics.OperationRouteMetrics;
import voipgateway.numbers.NumberStore;
import voipgateway.pacing.LiveCalls;
import voipgateway.pacing.Pacing;
import voipgateway.pacing.ScheduledCalls;
import voipgateway.pacing.Sweeper;
import voipgateway.providers.AdapterContract;
import voipgateway.providers.ProviderAccount;
import voipgateway.providers.ProviderAdapters;
import voipgateway.providers.ProviderAnswers;
import voipgateway.providers.ProviderBreakers;
import voipgateway.providers.ProviderHosts;
import voipgateway.providers.ProviderHttpBinding;
import voipgateway.providers.ProviderRequests;
import voipgateway.providers.ProviderStore;
import voipgateway.queue.BrokerConnections;
import voipgateway.queue.EmbeddedBroker;
import voipgateway.queue.QueuedCalls;
import voipgateway.queue.TenantQueues;
import voipgateway.routes.AsyncRoute;
import voipgateway.routes.ReloadGate;
import voipgateway.routes.SafeRouteReload;
import voipgateway.sanspbx.SansPbxAnswers;
import voipgateway.sanspbx.SharedTokens;
import voipgateway.sanspbx.TokenCache;
import voipgateway.storage.Collections;
import voipgateway.storage.EmbeddedStorageWatch;
import voipgateway.storage.MongoOutages;
import voipgateway.storage.MongoStorage;
import voipgateway.tenants.ApiKeys;
import voipgateway.tenants.KeyGuesses;
import voipgateway.tenants.RateLimits;
import voipgateway.tenants.TenantAdmin;

/**
 * Binds the beans the YAML routes use, from application.properties (each value overridable by an environment
 * variable). Start-up fails here, with one clear message, when the service could not work.
 */
public class GatewayConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);
    /** The cluster namespace whose lease the timers' routes follow, and whose members share the rate limits. */
    private static final String CLUSTER_NAMESPACE = "voip-gateway";

    @Override
    public void configure(CamelContext context) throws Exception {
        // every setting is read and checked before anything starts, so a refusal leaves nothing running
        Settings settings = new Settings(context.getPropertiesComponent());
        Registry registry = context.getRegistry();
        boolean demo = settings.flag("voip.demo");
        Path dataDir = Path.of(settings.text("voip.data-dir", "data"));
        Clock clock = Clock.systemUTC();
        long connectMillis = settings.whole("voip.provider-connect-timeout-ms", 1, 60_000);
        long responseMillis = settings.whole("voip.provider-response-timeout-ms", 1, 600_000);
        long rateLimit = settings.whole("voip.rate-limit-requests", 1, 1_000_000);
        long ratePeriodMillis = settings.whole("voip.rate-limit-period-ms", 1_000, 86_400_000);
        checkRouteSettings(settings, ProviderHttpBinding.connectionWaitMillis(connectMillis) + responseMillis);
        int port = settings.port("camel.server.port", 0);
        String brokerUrl = settings.text("broker.url", "");
        int brokerPort = settings.port("broker.embedded-port", 1);
        ZoneId zone = settings.zone("sanspbx.timezone");
        String voiceUrl = settings.url("voip.voice-url");
        String statusCallbackUrl = settings.url("voip.status-callback-url");
        String publicBaseUrl = settings.url("public.base.url");
        CircuitBreakerConfig breakers = breakerConfig(settings);
        int providerConnections = (int) settings.whole("voip.provider-connections-per-host", 1, 10_000);
        Duration claim = settings.seconds("voip.dial-claim-seconds", 1, 86_400);
        Duration tokenMargin = settings.seconds("sanspbx.token-refresh-margin-seconds", 0, 3_600);
        Duration tokenUnknownExpiry = settings.seconds("sanspbx.token-unknown-expiry-ttl-seconds", 1, 86_400);
        Duration simulatorTokenLifetime = settings.seconds("simulator.sanspbx.token-lifetime-seconds", 1, 86_400);
        Duration simulatorCallbackDelay = settings.seconds("simulator.sanspbx.callback-delay-seconds", 0, 3_600);
        long mongoSelectionMillis = settings.whole("mongodb.server-selection-timeout-ms", 100, 600_000);
        int mongoPort = settings.port("mongodb.embedded-port", 0);
        int mongoConnections = (int) settings.whole("mongodb.max-connections", 1, 10_000);
        boolean allowHttpProviders = demo || settings.flag("voip.allow-http-providers");
        int httpWorkers = (int) settings.whole("voip.http-worker-threads", 1, 4_000);
        Duration cacheAge = settings.seconds("voip.cache-seconds", 1, 300);
        long cacheEntries = settings.whole("voip.cache-entries", 1, 10_000_000);
        long embeddedCallsWarning = settings.whole("voip.embedded-calls-warning", 1, Long.MAX_VALUE);
        Function<MongoDatabase, CamelClusterService> clusterService = clusterService(settings, clock);

        requirePortFree(settings.text("camel.server.host", "0.0.0.0"), port, "PORT");
        // GET /metrics is served on a port of its own (camel.management.*), on loopback unless configured
        requirePortFree(settings.text("voip.management-host", "127.0.0.1"), settings.port("voip.management-port", 0),
                "VOIP_MANAGEMENT_PORT");
        // HTTPS when voip.tls.* give a keystore or PEM files (platform-http takes Camel's global TLS settings)
        SSLContextParameters tls = ServerTls.from(settings);
        if (tls != null) {
            context.setSSLContextParameters(tls);
        }
        // saved route files go live (routes/, SafeRouteReload) unless voip.routes-reload=false
        SafeRouteReload routeReload = null;
        if (settings.flag("voip.routes-reload")) {
            ReloadGate gate = new ReloadGate(settings.seconds("voip.routes-reload-drain-seconds", 1, 300));
            context.addRoutePolicyFactory(gate);
            routeReload = new SafeRouteReload(settings.text("voip.routes-reload-directory", "routes"), "*.yaml", gate);
            context.addService(routeReload);
        }
        HttpFallbackAnswers fallbackAnswers = new HttpFallbackAnswers(port,
                routeReload == null ? () -> false : routeReload::reloading);
        context.addStartupListener(fallbackAnswers);
        // log lines carry the call, tenant and provider of the exchange that writes them (voipgateway.logging)
        context.getCamelContextExtension().addInterceptStrategy(new CurrentExchange());
        context.addStartupListener(new ReadyLog(port, demo,
                settings.text("camel.main.routes-include-pattern", "file:routes/*.yaml")));
        // a request's route runs on a worker thread (MongoDB blocks it); waiting for a provider it holds none
        Vertx vertx = HttpServerVertx.create(new VertxOptions().setWorkerPoolSize(httpWorkers),
                fallbackAnswers::started);
        registry.bind("vertx", vertx);
        // platform-http's engine (found under this name): a request waiting for its provider holds no worker
        registry.bind("platform-http-engine", new AsyncHttpEngine(context));
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                // bound here, so platform-http leaves closing it to us
                vertx.close();
            }
        });
        // what leaves carries only headers we chose (application.properties sets these on the components)
        registry.bind("httpAnswerHeaders", new OutgoingHeaders(new HttpHeaderFilterStrategy(),
                "Content-Type", "Retry-After"));
        registry.bind("busMessageHeaders", new OutgoingHeaders(new JmsHeaderFilterStrategy(), BUS_HEADERS));
        registry.bind("kafkaMessageHeaders", new OutgoingHeaders(new KafkaHeaderFilterStrategy(), BUS_HEADERS));
        registry.bind("providerClient", providerClient(providerConnections, connectMillis));
        registry.bind("providerHttp", new ProviderHttpBinding(connectMillis, responseMillis));
        // one registry for Camel's metrics (camel.metrics.*, which camel-main has set up by now) and ours
        PrometheusMeterRegistry meters = registry.lookupByNameAndType("metricsRegistry", PrometheusMeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind("metricsRegistry", meters);
        }
        GatewayMetrics metrics = new GatewayMetrics(meters);
        registry.bind("gatewayMetrics", metrics);
        OperationRouteMetrics.install(context);

        CredentialCipher cipher = new CredentialCipher(
                EncryptionKeys.resolve(settings.text("voip.encryption-key", ""), demo, dataDir),
                List.of(settings.text("voip.previous-encryption-keys", "").split(",")));

        EmbeddedBroker broker = null;
        CompletableFuture<Void> brokerStarted = null;
        String[] brokerCredentials = {settings.text("broker.username", ""), settings.text("broker.password", "")};
        if (brokerUrl.isBlank()) {
            // probed first: Artemis only logs an acceptor that cannot bind, and a client on that port would then
            // talk to whatever holds it
            requirePortFree("127.0.0.1", brokerPort, "BROKER_EMBEDDED_PORT (or BROKER_URL for a running broker)");
            brokerCredentials = EmbeddedBroker.credentials(brokerCredentials[0], brokerCredentials[1], dataDir);
            broker = new EmbeddedBroker(dataDir, brokerPort,
                    settings.text("broker.calls-queue", "voip.outbound-calls"),
                    settings.text("voip.queue.tenant-queue-prefix", "voip.calls."),
                    settings.text("broker.callbacks-queue", "voip.status-callbacks"), brokerCredentials);
            // its journal loads while MongoDB starts and the routes are built (about 2 s, measured)
            brokerStarted = CompletableFuture.runAsync(broker::start,
                    task -> new Thread(task, "embedded-broker-start").start());
        }
        String database = settings.text("mongodb.database", "voip");
        MongoStorage storage;
        try {
            storage = new MongoStorage(settings.text("mongodb.uri", ""), database, dataDir, mongoPort,
                    mongoSelectionMillis, mongoConnections, Schema::prepare);
        } catch (RuntimeException e) {
            if (broker != null) {
                // not started after all: the broker started beside it goes too
                brokerStarted.handle((ok, failure) -> null).join();
                broker.stop();
            }
            throw e;
        }
        context.addService(storage, true, true);
        registry.bind("mongo", storage.client());
        MongoDatabase db = storage.client().getDatabase(database);
        registry.bind("jsonMapper", Json.MAPPER);
        KeyGuesses keyGuesses = new KeyGuesses((int) settings.whole("voip.auth.failures-per-minute", 1, 1_000_000),
                cacheEntries);
        registry.bind("apiKeys", new ApiKeys(cacheAge, cacheEntries, keyGuesses));
        // several instances: the timers' routes run on the one holding the lease (routePolicy: leaderOnly), and a
        // key's allowance is split between the instances alive
        CamelClusterService cluster = clusterService.apply(db);
        context.addService(cluster, true, true);
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext camel) {
                // before the routes: Camel's ClusteredRoutePolicy deadlocks when a leadership change stops a timer
                // route while the stopping context shuts that route down (met when the Kubernetes API went away
                // during a stop); stopped first, the lease is handed over and no change comes in between
                ServiceHelper.stopService(cluster);
            }
        });
        CamelClusterView instances = cluster.getView(CLUSTER_NAMESPACE);
        registry.bind("leaderOnly", ClusteredRoutePolicy.forNamespace(cluster, CLUSTER_NAMESPACE));
        metrics.gauge("voip.cluster.leader", "1 on the instance that runs the timers, else 0", "namespace",
                CLUSTER_NAMESPACE, () -> instances.getLocalMember().isLeader() ? 1 : 0);
        metrics.gauge("voip.cluster.members",
                "Instances alive (stamped within the lease; on Kubernetes, the Ready pods)", "namespace", CLUSTER_NAMESPACE, () -> instances.getMembers().size());
        registry.bind("rateLimits", new RateLimits(rateLimit, Duration.ofMillis(ratePeriodMillis), cacheEntries,
                () -> instances.getMembers().size()));
        registry.bind("agentLines", new AgentLines(cacheAge, cacheEntries));
        registry.bind("tenantAdmin", new TenantAdmin(settings.text("voip.admin-key", ""), keyGuesses));
        bootstrapApiKey(db, settings.text("voip.bootstrap-api-key", ""), demo);
        // GET /health: Camel's health checks, these with its routes and consumers
        registry.bind("mongoHealth", new MongoHealthCheck(db));
        registry.bind("queueConsumerHealth", new QueueConsumerHealthCheck("queue-consumer", "dial-queued-call",
                "call-request"));
        registry.bind("tenantQueueConsumersHealth", new QueueConsumerHealthCheck("tenant-queue-consumers",
                "tenant-calls", "tenant call-request"));
        registry.bind("tenantQueues", new TenantQueues(context, db.getCollection("tenants"),
                settings.flag("voip.queue.per-tenant")));
        registry.bind("deferredCallbacksHealth", new QueueConsumerHealthCheck("deferred-callbacks-consumer",
                "apply-deferred-status-events", "deferred-callback"));
        registry.bind("healthReport", new HealthReport());
        registry.bind("embeddedStorageWatch", new EmbeddedStorageWatch(db,
                storage.embedded() ? embeddedCallsWarning : Long.MAX_VALUE));

        if (broker != null) {
            EmbeddedBroker started = broker;
            CompletableFuture<Void> brokerStart = brokerStarted;
            // its journal loads while the routes are read and built; their consumers start after it
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStarting(CamelContext camel) {
                    awaitStart(brokerStart);
                }

                @Override
                public void onContextStopped(CamelContext camel) {
                    // last, once the consumers and the connections to it are closed; also after a failed start
                    brokerStart.handle((ok, failure) -> null).join();
                    started.stop();
                }
            });
            registry.bind("embeddedBroker", broker);
            registry.bind("brokerHealth", new BrokerHealthCheck(broker));
            for (String queue : List.of(settings.text("broker.calls-queue", "voip.outbound-calls"),
                    settings.text("broker.callbacks-queue", "voip.status-callbacks"))) {
                for (String name : List.of(queue, queue + ".dead-letter")) {
                    metrics.gauge("voip.queue.depth", "Messages waiting on an embedded broker queue", "queue", name,
                            () -> started.depth(name));
                }
            }
            brokerUrl = broker.url();
        }
        CachingConnectionFactory busConnections = BrokerConnections.forUrl(brokerUrl, brokerCredentials[0],
                brokerCredentials[1]);
        registry.bind("jmsConnectionFactory", busConnections);
        context.addService(BrokerConnections.closing(busConnections), true, true);
        registry.bind("queuedCalls", new QueuedCalls());

        registry.bind("errorResponses", new ErrorResponses());
        // the adapters of routes/providers/*.yaml, as loaded now
        ProviderAdapters adapters = new ProviderAdapters();
        // an adapter file that breaks the exchange-property contract is refused when it loads
        AdapterContract.install(context);
        adapters.setCamelContext(context);
        registry.bind("providerAdapters", adapters);
        registry.bind("providerStore", new ProviderStore(cipher, adapters, new ProviderAccount.Limits(
                (int) settings.whole("voip.pacing.calls-per-second", 0, 100_000),
                (int) settings.whole("voip.pacing.max-concurrent-calls", 0, 100_000))));
        registry.bind("numberStore", new NumberStore());
        registry.bind("agentStore", new AgentStore());
        CallbackTokens callbackTokens = new CallbackTokens(cipher);
        CallStore callStore = new CallStore(voiceUrl, statusCallbackUrl, callbackTokens);
        registry.bind("callStore", callStore);
        CallVersions callVersions = new CallVersions(db.getCollection(Collections.CALLS));
        registry.bind("callVersions", callVersions);
        registry.bind("hangups", new Hangups(clock));
        registry.bind("cancellations", new Cancellations());
        registry.bind("dialLedger", new DialLedger(claim, db.getCollection(Collections.CALLS), callVersions, callStore,
                clock, context));
        registry.bind("callingPolicy", new CallingPolicy(callingRules(settings, demo), clock, cacheAge, cacheEntries));
        registry.bind("doNotCall", new DoNotCall(new DoNotCallLists(db, clock, cacheAge,
                (int) settings.whole("voip.dnc-numbers-in-memory", 0, 100_000_000))));
        registry.bind("scheduledCalls", new ScheduledCalls(clock));
        // added after the storage, so it stops first and stores what is pending
        LiveCalls liveCalls = new LiveCalls(db.getCollection(Collections.LIVE_CALLS));
        context.addService(liveCalls, true, true);
        registry.bind("liveCalls", liveCalls);
        ExpiredClaims expiredClaims = new ExpiredClaims(claim,
                settings.seconds("voip.claim-grace-seconds", 0, 3_600), clock, db.getCollection("calls"));
        registry.bind("expiredClaims", expiredClaims);
        registry.bind("pacing", new Pacing(db, liveCalls, expiredClaims, clock,
                settings.seconds("voip.max-call-seconds", 1, 86_400)
                        .plus(settings.seconds("voip.call-grace-seconds", 0, 86_400)),
                settings.millis("voip.pacing.margin-ms", 0, 1_000)));
        registry.bind("sweeper", new Sweeper());
        registry.bind("sansPbxCallbacks", new SansPbxCallbacks(zone, adapters));
        registry.bind("formCallbacks", new FormCallbacks(adapters));
        registry.bind("statusEventStore", new StatusEventStore(callbackTokens));
        DeferredCallbacks deferredCallbacks = new DeferredCallbacks();
        registry.bind("deferredCallbacks", deferredCallbacks);
        // predicates for onWhen (language "ref": evaluated on the failed exchange itself, not a copy of it)
        registry.bind("mongoOutage", (Predicate) MongoOutages::during);
        registry.bind("duplicateKey", (Predicate) MongoOutages::duplicateKey);
        registry.bind("keepableCallback", (Predicate) deferredCallbacks::canKeep);
        registry.bind("twilioSignatures", new TwilioSignatures(cipher, publicBaseUrl));
        describeServer(context, publicBaseUrl);
        // demo mode calls its own simulator over plain http on this host
        ProviderHosts providerHosts = new ProviderHosts(allowHttpProviders,
                settings.text("voip.allowed-provider-hosts", "") + (demo ? ",localhost,127.0.0.1" : ""));
        registry.bind("providerHosts", providerHosts);
        registry.bind("providerRequests", new ProviderRequests(providerHosts, new ProviderBreakers(breakers,
                new AsyncRoute(context.getEndpoint("direct:send-provider-request")), onAnyWorker(vertx), metrics)));
        registry.bind("providerAnswers", new ProviderAnswers());
        registry.bind("sansPbxAnswers", new SansPbxAnswers(zone, tokenMargin, tokenUnknownExpiry, clock));
        // one token per account for every instance, kept encrypted in MongoDB; a refresh may take one provider request
        Duration longestTokenRequest = Duration.ofMillis(ProviderHttpBinding.connectionWaitMillis(connectMillis)
                + responseMillis).plusSeconds(5);
        registry.bind("tokenCache", new TokenCache(
                new AsyncRoute(context.getEndpoint("direct:request-sanspbx-token")),
                new SharedTokens(db.getCollection("sanspbxtokens"), cipher, clock, longestTokenRequest),
                onAnyWorker(vertx), longestTokenRequest, clock, cacheEntries));

        // bound always (its routes start only in demo mode), so the simulator routes can always be built
        registry.bind("sansPbxSimulator", new SansPbxSimulator(
                settings.text("simulator.sanspbx.access-token", ""), settings.text("simulator.sanspbx.access-key", ""),
                ProviderRequests.basicAuth(settings.text("simulator.sanspbx.username", ""),
                        settings.text("simulator.sanspbx.password", "")),
                simulatorTokenLifetime, simulatorCallbackDelay, zone, clock));
    }

    /** The OpenAPI document (/openapi.json) names the service where its clients reach it: public.base.url. */
    private static void describeServer(CamelContext context, String publicBaseUrl) {
        URI base = URI.create(publicBaseUrl);
        Map<String, Object> api = new HashMap<>();
        if (context.getRestConfiguration().getApiProperties() != null) {
            api.putAll(context.getRestConfiguration().getApiProperties());
        }
        api.put("schemes", base.getScheme());
        api.put("host", base.getRawAuthority());
        api.put("base.path", base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath());
        context.getRestConfiguration().setApiProperties(api);
    }

    /** Headers a message of ours may carry on the bus. */
    private static final String[] BUS_HEADERS = {"requestId", "callId", "reason", "error", "field"};

    /** Settings the routes read themselves ({{...}}): checked here, since a route cannot refuse to start. */
    private static void checkRouteSettings(Settings settings, long providerRequestMillis) {
        // a claim outlives the longest dial: two token requests and two dial requests, each at its limits
        Settings.require(settings.whole("voip.dial-claim-seconds", 1, 86_400) * 1000 > 4 * providerRequestMillis,
                "voip.dial-claim-seconds", "must be longer than four provider requests at their timeouts ("
                        + 4 * providerRequestMillis / 1000 + " s)");
    }

    /** Who holds the timers' lease: MongoDB (the database given), which every instance shares, or Kubernetes. */
    private static Function<MongoDatabase, CamelClusterService> clusterService(Settings settings, Clock clock) {
        Duration lease = settings.seconds("voip.cluster.lease-seconds", 3, 3_600);
        String memberName = settings.text("voip.cluster.member-name", "");
        String name = memberName.isBlank() ? Objects.requireNonNullElse(System.getenv("HOSTNAME"), "instance")
                : memberName;
        String backend = settings.oneOf("voip.cluster.backend", "mongodb", "kubernetes");
        // checked whatever the backend, so a mistake shows before the day it is switched on
        Map<String, String> podLabels = settings.labels("voip.cluster.kubernetes.pod-labels");
        String apiUrl = settings.url("voip.cluster.kubernetes.api-url");
        String namespace = settings.text("voip.cluster.kubernetes.namespace", "");
        if (backend.equals("kubernetes")) {
            return db -> KubernetesLeases.clusterService(lease, name, namespace, podLabels, apiUrl);
        }
        return db -> new MongoLeaseClusterService(db, lease, clock, name);
    }

    /** The service's calling rules, a tenant's defaults: demo mode has no window unless one is set. */
    private static CallingRules callingRules(Settings settings, boolean demo) {
        Map<String, CallingWindow> windows = new HashMap<>();
        boolean demoWithout = demo && System.getenv("VOIP_CALLING_WINDOW_PROMOTIONAL") == null;
        for (String purpose : CallingRules.PURPOSES) {
            String key = "voip.calling-window." + purpose;
            try {
                windows.put(purpose, demoWithout ? null : CallingWindow.parse(settings.text(key, "")));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("setting " + key + ": " + e.getMessage());
            }
        }
        if (demoWithout) {
            LOG.warn("DEMO MODE: no calling window (calls ring at any hour); set VOIP_CALLING_WINDOW_PROMOTIONAL"
                    + " (e.g. 09:00-21:00) to try one");
        }
        return new CallingRules(settings.zone("voip.callee-time-zone"), windows, CallingRules.Retries.NONE);
    }

    private static CircuitBreakerConfig breakerConfig(Settings settings) {
        return CircuitBreakerConfig.custom()
                .slidingWindowSize((int) settings.whole("voip.provider-breaker.sliding-window-size", 1, 10_000))
                .minimumNumberOfCalls((int) settings.whole("voip.provider-breaker.minimum-number-of-calls", 1, 10_000))
                .failureRateThreshold(settings.whole("voip.provider-breaker.failure-rate-threshold", 1, 100))
                .waitDurationInOpenState(settings.seconds("voip.provider-breaker.open-seconds", 1, 3_600))
                .permittedNumberOfCallsInHalfOpenState(
                        (int) settings.whole("voip.provider-breaker.half-open-calls", 1, 1_000))
                .build();
    }

    /**
     * The provider HTTP client (camel-vertx-http, on the service's Vert.x): it waits for an answer without holding a
     * thread. Never a redirect followed, nor a cookie kept (one client serves every account and tenant), nor a POST
     * repeated. A connection the PBX closed leaves the pool when it closes, not when a dial is written to it.
     */
    private static WebClientOptions providerClient(int connectionsPerHost, long connectMillis) {
        return new WebClientOptions().setMaxPoolSize(connectionsPerHost).setConnectTimeout((int) connectMillis)
                .setFollowRedirects(false).setKeepAlive(true).setTryUseCompression(false);
    }

    /** Runs a task on a Vert.x worker thread, in no order with the others. */
    private static Executor onAnyWorker(Vertx vertx) {
        return task -> vertx.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
    }

    /** VOIP_BOOTSTRAP_API_KEY gives tenant "default" a key at start-up; demo mode makes one up if none is set. */
    private static void bootstrapApiKey(MongoDatabase db, String key, boolean demo) {
        if (key.isBlank() && demo) {
            key = ApiKeys.newKey();
            LOG.warn("DEMO MODE: API key for tenant 'default': {}  (send it as Authorization: Bearer <key>;"
                    + " set VOIP_BOOTSTRAP_API_KEY to choose it)", key);
        }
        if (!key.isBlank()) {
            ApiKeys.bootstrap(db, key);
        }
    }

    /** A part started in the background: its failure is the start's failure, as if it had started here. */
    private static void awaitStart(CompletableFuture<Void> started) {
        try {
            started.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** A server that cannot bind only warns and runs on deaf: refuse to start instead. */
    private static void requirePortFree(String host, int port, String setting) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is already in use: set " + setting + " to a free port");
        }
    }
}

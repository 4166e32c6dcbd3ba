package voipgateway;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Function;

import com.mongodb.client.MongoDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Predicate;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.agents.AgentLines;
import voipgateway.agents.AgentStore;
import voipgateway.api.ErrorResponses;
import voipgateway.api.Json;
import voipgateway.callbacks.CallbacksConfiguration;
import voipgateway.calls.CallsConfiguration;
import voipgateway.cluster.KubernetesLeases;
import voipgateway.cluster.MongoLeaseClusterService;
import voipgateway.compliance.ComplianceConfiguration;
import voipgateway.config.Settings;
import voipgateway.crypto.CredentialCipher;
import voipgateway.crypto.EncryptionKeys;
import voipgateway.demo.SansPbxSimulator;
import voipgateway.health.BrokerHealthCheck;
import voipgateway.health.HealthReport;
import voipgateway.health.MongoHealthCheck;
import voipgateway.health.QueueConsumerHealthCheck;
import voipgateway.health.ReadyLog;
import voipgateway.http.HttpConfiguration;
import voipgateway.logging.CurrentExchange;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.metrics.OperationRouteMetrics;
import voipgateway.numbers.NumberStore;
import voipgateway.pacing.PacingConfiguration;
import voipgateway.providers.ProviderAdapters;
import voipgateway.providers.ProviderRequests;
import voipgateway.providers.ProvidersConfiguration;
import voipgateway.queue.BusConfiguration;
import voipgateway.queue.EmbeddedBroker;
import voipgateway.routes.ReloadGate;
import voipgateway.routes.SafeRouteReload;
import voipgateway.sanspbx.SansPbxConfiguration;
import voipgateway.storage.EmbeddedStorageWatch;
import voipgateway.storage.MongoOutages;
import voipgateway.storage.MongoStorage;
import voipgateway.tenants.TenantsConfiguration;

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
        // each feature reads and checks its own settings
        ProvidersConfiguration providers = new ProvidersConfiguration(settings, demo);
        TenantsConfiguration tenants = new TenantsConfiguration(settings, demo);
        CallsConfiguration calls = new CallsConfiguration(settings);
        ComplianceConfiguration compliance = new ComplianceConfiguration(settings, demo);
        PacingConfiguration pacing = new PacingConfiguration(settings);
        SansPbxConfiguration sansPbx = new SansPbxConfiguration(settings);
        BusConfiguration bus = new BusConfiguration(settings, dataDir);
        checkRouteSettings(settings, providers.longestRequest().toMillis());
        HttpConfiguration http = new HttpConfiguration(settings);
        CallbacksConfiguration callbacks = new CallbacksConfiguration(sansPbx.zone(), http.publicBaseUrl());
        Duration simulatorTokenLifetime = settings.seconds("simulator.sanspbx.token-lifetime-seconds", 1, 86_400);
        Duration simulatorCallbackDelay = settings.seconds("simulator.sanspbx.callback-delay-seconds", 0, 3_600);
        long mongoSelectionMillis = settings.whole("mongodb.server-selection-timeout-ms", 100, 600_000);
        int mongoPort = settings.port("mongodb.embedded-port", 0);
        int mongoConnections = (int) settings.whole("mongodb.max-connections", 1, 10_000);
        Duration cacheAge = settings.seconds("voip.cache-seconds", 1, 300);
        long cacheEntries = settings.whole("voip.cache-entries", 1, 10_000_000);
        long embeddedCallsWarning = settings.whole("voip.embedded-calls-warning", 1, Long.MAX_VALUE);
        Function<MongoDatabase, CamelClusterService> clusterService = clusterService(settings, clock);

        // saved route files go live (routes/, SafeRouteReload) unless voip.routes-reload=false
        SafeRouteReload routeReload = null;
        if (settings.flag("voip.routes-reload")) {
            ReloadGate gate = new ReloadGate(settings.seconds("voip.routes-reload-drain-seconds", 1, 300));
            context.addRoutePolicyFactory(gate);
            routeReload = new SafeRouteReload(settings.text("voip.routes-reload-directory", "routes"), "*.yaml", gate);
            context.addService(routeReload);
        }
        Vertx vertx = http.bind(context, routeReload == null ? () -> false : routeReload::reloading);
        // log lines carry the call, tenant and provider of the exchange that writes them (voipgateway.logging)
        context.getCamelContextExtension().addInterceptStrategy(new CurrentExchange());
        context.addStartupListener(new ReadyLog(http.port(), demo,
                settings.text("camel.main.routes-include-pattern", "file:routes/*.yaml")));
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

        EmbeddedBroker broker = bus.startEmbedded();
        String database = settings.text("mongodb.database", "voip");
        MongoStorage storage;
        try {
            storage = new MongoStorage(settings.text("mongodb.uri", ""), database, dataDir, mongoPort,
                    mongoSelectionMillis, mongoConnections, Schema::prepare);
        } catch (RuntimeException e) {
            // not started after all: the broker started beside it goes too
            bus.abandon();
            throw e;
        }
        context.addService(storage, true, true);
        registry.bind("mongo", storage.client());
        MongoDatabase db = storage.client().getDatabase(database);
        registry.bind("jsonMapper", Json.MAPPER);
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
        tenants.bind(registry, db, cacheAge, cacheEntries, () -> instances.getMembers().size());
        registry.bind("agentLines", new AgentLines(cacheAge, cacheEntries));
        // GET /health: Camel's health checks, these with its routes and consumers
        registry.bind("mongoHealth", new MongoHealthCheck(db));
        registry.bind("queueConsumerHealth", new QueueConsumerHealthCheck("queue-consumer", "dial-queued-call",
                "call-request"));
        registry.bind("tenantQueueConsumersHealth", new QueueConsumerHealthCheck("tenant-queue-consumers",
                "tenant-calls", "tenant call-request"));
        registry.bind("deferredCallbacksHealth", new QueueConsumerHealthCheck("deferred-callbacks-consumer",
                "apply-deferred-status-events", "deferred-callback"));
        registry.bind("healthReport", new HealthReport());
        registry.bind("embeddedStorageWatch", new EmbeddedStorageWatch(db,
                storage.embedded() ? embeddedCallsWarning : Long.MAX_VALUE));

        bus.bind(context, db, metrics);
        if (broker != null) {
            registry.bind("brokerHealth", new BrokerHealthCheck(broker));
        }

        registry.bind("errorResponses", new ErrorResponses());
        // the adapters of routes/providers/*.yaml, as loaded now
        ProviderAdapters adapters = providers.bind(context, cipher, metrics, onAnyWorker(vertx));
        registry.bind("numberStore", new NumberStore());
        registry.bind("agentStore", new AgentStore());
        CallsConfiguration.Bound callBeans = calls.bind(context, db, cipher, clock);
        compliance.bind(registry, db, clock, cacheAge, cacheEntries);
        pacing.bind(context, db, callBeans.expiredClaims(), clock);
        callbacks.bind(registry, adapters, callBeans.callbackTokens(), cipher);
        // predicates for onWhen (language "ref": evaluated on the failed exchange itself, not a copy of it)
        registry.bind("mongoOutage", (Predicate) MongoOutages::during);
        registry.bind("duplicateKey", (Predicate) MongoOutages::duplicateKey);
        sansPbx.bind(context, db, cipher, clock, onAnyWorker(vertx), providers.longestRequest(), cacheEntries);

        // bound always (its routes start only in demo mode), so the simulator routes can always be built
        registry.bind("sansPbxSimulator", new SansPbxSimulator(
                settings.text("simulator.sanspbx.access-token", ""), settings.text("simulator.sanspbx.access-key", ""),
                ProviderRequests.basicAuth(settings.text("simulator.sanspbx.username", ""),
                        settings.text("simulator.sanspbx.password", "")),
                simulatorTokenLifetime, simulatorCallbackDelay, sansPbx.zone(), clock));
    }

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

    /** Runs a task on a Vert.x worker thread, in no order with the others. */
    private static Executor onAnyWorker(Vertx vertx) {
        return task -> vertx.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
    }
}

package voipgateway;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;

import com.mongodb.client.MongoDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Predicate;
import org.apache.camel.spi.Registry;
import voipgateway.agents.AgentLines;
import voipgateway.agents.AgentStore;
import voipgateway.api.ErrorResponses;
import voipgateway.api.Json;
import voipgateway.callbacks.CallbacksConfiguration;
import voipgateway.calls.CallEvents;
import voipgateway.campaigns.CampaignsConfiguration;
import voipgateway.calls.CallsConfiguration;
import voipgateway.calls.CallRecordings;
import voipgateway.calls.ProviderFeatures;
import voipgateway.cluster.ClusterConfiguration;
import voipgateway.compliance.ComplianceConfiguration;
import voipgateway.config.Settings;
import voipgateway.crypto.CredentialCipher;
import voipgateway.crypto.EncryptionKeys;
import voipgateway.demo.DemoConfiguration;
import voipgateway.health.HealthConfiguration;
import voipgateway.health.ReadyLog;
import voipgateway.http.HttpConfiguration;
import voipgateway.logging.CurrentExchange;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.metrics.OperationRouteMetrics;
import voipgateway.numbers.NumberStore;
import voipgateway.pacing.PacingConfiguration;
import voipgateway.providers.ProviderAdapters;
import voipgateway.providers.ProviderHosts;
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
import voipgateway.usage.UsageConfiguration;
import voipgateway.webhooks.WebhooksConfiguration;

/**
 * Binds the beans the YAML routes use, from application.properties (each value overridable by an environment
 * variable). Start-up fails here, with one clear message, when the service could not work.
 */
public class GatewayConfiguration implements CamelConfiguration {

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
        WebhooksConfiguration webhooks = new WebhooksConfiguration(settings);
        CampaignsConfiguration campaigns = new CampaignsConfiguration(settings);
        UsageConfiguration usage = new UsageConfiguration(settings);
        checkRouteSettings(settings, providers.longestRequest().toMillis());
        HttpConfiguration http = new HttpConfiguration(settings);
        CallbacksConfiguration callbacks = new CallbacksConfiguration(sansPbx.zone(), http.publicBaseUrl());
        DemoConfiguration demoPbx = new DemoConfiguration(settings);
        long mongoSelectionMillis = settings.whole("mongodb.server-selection-timeout-ms", 100, 600_000);
        int mongoPort = settings.port("mongodb.embedded-port", 0);
        int mongoConnections = (int) settings.whole("mongodb.max-connections", 1, 10_000);
        Duration cacheAge = settings.seconds("voip.cache-seconds", 1, 300);
        long cacheEntries = settings.whole("voip.cache-entries", 1, 10_000_000);
        long embeddedCallsWarning = settings.whole("voip.embedded-calls-warning", 1, Long.MAX_VALUE);
        ClusterConfiguration cluster = new ClusterConfiguration(settings);

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
        IntSupplier instances = cluster.bind(context, db, clock, metrics);
        tenants.bind(registry, db, cacheAge, cacheEntries, instances);
        registry.bind("agentLines", new AgentLines(cacheAge, cacheEntries));
        HealthConfiguration.bind(registry, db, broker);
        registry.bind("embeddedStorageWatch", new EmbeddedStorageWatch(db,
                storage.embedded() ? embeddedCallsWarning : Long.MAX_VALUE));

        bus.bind(context, db, metrics);

        registry.bind("errorResponses", new ErrorResponses());
        // the adapters of routes/providers/*.yaml, as loaded now
        // where a provider request's route goes on once its answer (or a token) is in
        Executor workers = onAnyWorker(vertx);
        ProviderAdapters adapters = providers.bind(context, cipher, metrics, workers);
        registry.bind("numberStore", new NumberStore());
        registry.bind("agentStore", new AgentStore());
        registry.bind("providerFeatures", new ProviderFeatures(adapters));
        registry.bind("callRecordings", new CallRecordings(adapters,
                registry.lookupByNameAndType("providerHosts", ProviderHosts.class)));
        // a call's status changes make events for its tenant's webhooks, in the same write
        CallEvents events = webhooks.bind(context, db, cipher, metrics, workers, clock, cacheAge, cacheEntries);
        CallsConfiguration.Bound callBeans = calls.bind(context, db, cipher, clock, events);
        compliance.bind(registry, db, clock, cacheAge, cacheEntries);
        campaigns.bind(registry, db, clock);
        usage.bind(registry, db, adapters, clock);
        pacing.bind(context, db, callBeans, clock);
        callbacks.bind(registry, adapters, callBeans.callbackTokens(), cipher);
        // predicates for onWhen (language "ref": evaluated on the failed exchange itself, not a copy of it)
        registry.bind("mongoOutage", (Predicate) MongoOutages::during);
        registry.bind("duplicateKey", (Predicate) MongoOutages::duplicateKey);
        sansPbx.bind(context, db, cipher, clock, workers, providers.longestRequest(), cacheEntries);

        demoPbx.bind(registry, sansPbx.zone(), clock);
    }

    /** Settings the routes read themselves ({{...}}): checked here, since a route cannot refuse to start. */
    private static void checkRouteSettings(Settings settings, long providerRequestMillis) {
        // a claim outlives the longest dial: two token requests and two dial requests, each at its limits
        Settings.require(settings.whole("voip.dial-claim-seconds", 1, 86_400) * 1000 > 4 * providerRequestMillis,
                "voip.dial-claim-seconds", "must be longer than four provider requests at their timeouts ("
                        + 4 * providerRequestMillis / 1000 + " s)");
    }

    /** Runs a task on a Vert.x worker thread, in no order with the others. */
    private static Executor onAnyWorker(Vertx vertx) {
        return task -> vertx.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
    }
}

package voipgateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.agents.AgentStore;
import voipgateway.api.ErrorResponses;
import voipgateway.api.HttpFallbackAnswers;
import voipgateway.callbacks.CallbackTokens;
import voipgateway.callbacks.SansPbxCallbacks;
import voipgateway.callbacks.StatusEventStore;
import voipgateway.callbacks.TwilioCallbacks;
import voipgateway.callbacks.TwilioSignatures;
import voipgateway.calls.CallStore;
import voipgateway.calls.DialLedger;
import voipgateway.crypto.CredentialCipher;
import voipgateway.crypto.EncryptionKeys;
import voipgateway.numbers.NumberStore;
import voipgateway.providers.ProviderHosts;
import voipgateway.providers.ProviderStore;
import voipgateway.queue.BrokerConnections;
import voipgateway.queue.EmbeddedBroker;
import voipgateway.queue.QueuedCalls;
import voipgateway.sanspbx.ApiTokenStrategy;
import voipgateway.sanspbx.SansPbxAnswers;
import voipgateway.sanspbx.SansPbxRequests;
import voipgateway.sanspbx.TokenCache;
import voipgateway.simulator.SansPbxSimulator;
import voipgateway.storage.MongoStorage;
import voipgateway.tenants.ApiKeys;
import voipgateway.tenants.TenantAdmin;

/**
 * Binds the beans the YAML routes use, from application.properties (each value overridable by an environment
 * variable). Start-up fails here, with one clear message, when the service could not work.
 */
public class GatewayConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        Registry registry = context.getRegistry();
        boolean demo = Boolean.parseBoolean(props.resolveProperty("voip.demo").orElse("false"));
        Path dataDir = Path.of(props.resolveProperty("voip.data-dir").orElse("data"));
        Clock clock = Clock.systemUTC();

        int port = Integer.parseInt(props.resolveProperty("camel.server.port").orElse("8080"));
        requirePortFree(props.resolveProperty("camel.server.host").orElse("0.0.0.0"), port);
        context.addStartupListener(new HttpFallbackAnswers(port));

        CredentialCipher cipher = new CredentialCipher(
                EncryptionKeys.resolve(props.resolveProperty("voip.encryption-key").orElse(""), demo, dataDir),
                List.of(props.resolveProperty("voip.previous-encryption-keys").orElse("").split(",")));

        MongoStorage storage = new MongoStorage(props.resolveProperty("mongodb.uri").orElse(""),
                props.resolveProperty("mongodb.database").orElse("voip"), dataDir,
                Integer.parseInt(props.resolveProperty("mongodb.embedded-port").orElse("0")),
                Long.parseLong(props.resolveProperty("mongodb.server-selection-timeout-ms").orElse("5000")));
        context.addService(storage, true, true);
        registry.bind("mongo", storage.client());
        registry.bind("apiKeys", new ApiKeys());
        registry.bind("tenantAdmin", new TenantAdmin(props.resolveProperty("voip.admin-key").orElse("")));
        bootstrapApiKey(storage.client().getDatabase(props.resolveProperty("mongodb.database").orElse("voip")),
                props.resolveProperty("voip.bootstrap-api-key").orElse(""), demo);

        String brokerUrl = props.resolveProperty("broker.url").orElse("");
        if (brokerUrl.isBlank()) {
            EmbeddedBroker broker = new EmbeddedBroker(dataDir,
                    Integer.parseInt(props.resolveProperty("broker.embedded-port").orElse("61616")),
                    props.resolveProperty("broker.calls-queue").orElse("voip.outbound-calls"));
            broker.start();
            context.addService(broker, true, true);
            brokerUrl = broker.url();
        }
        registry.bind("jmsConnectionFactory", BrokerConnections.forUrl(brokerUrl,
                props.resolveProperty("broker.username").orElse(null),
                props.resolveProperty("broker.password").orElse(null)));
        registry.bind("queuedCalls", new QueuedCalls());

        ZoneId zone = ZoneId.of(props.resolveProperty("sanspbx.timezone").orElse("Asia/Kolkata"));
        registry.bind("errorResponses", new ErrorResponses(Math.max(1,
                Long.parseLong(props.resolveProperty("voip.rate-limit-period-ms").orElse("60000")) / 1000)));
        registry.bind("providerStore", new ProviderStore(cipher));
        registry.bind("numberStore", new NumberStore());
        registry.bind("agentStore", new AgentStore());
        CallbackTokens callbackTokens = new CallbackTokens(cipher);
        registry.bind("callStore", new CallStore(props.resolveProperty("voip.callback-url").orElseThrow(),
                props.resolveProperty("voip.status-callback-url").orElseThrow(), callbackTokens));
        registry.bind("dialLedger", new DialLedger(seconds(props, "voip.dial-claim-seconds", 60)));
        registry.bind("sansPbxCallbacks", new SansPbxCallbacks(zone));
        registry.bind("twilioCallbacks", new TwilioCallbacks());
        registry.bind("statusEventStore", new StatusEventStore(callbackTokens));
        registry.bind("twilioSignatures", new TwilioSignatures(cipher,
                props.resolveProperty("public.base.url").orElseThrow()));
        // demo mode calls its own simulator over plain http on this host
        ProviderHosts providerHosts = new ProviderHosts(
                demo || Boolean.parseBoolean(props.resolveProperty("voip.allow-http-providers").orElse("false")),
                props.resolveProperty("voip.allowed-provider-hosts").orElse("") + (demo ? ",localhost,127.0.0.1" : ""));
        registry.bind("providerHosts", providerHosts);
        registry.bind("sansPbxRequests", new SansPbxRequests(providerHosts));
        registry.bind("sansPbxAnswers", new SansPbxAnswers(zone,
                seconds(props, "sanspbx.token-refresh-margin-seconds", 60),
                seconds(props, "sanspbx.token-unknown-expiry-ttl-seconds", 300), clock));
        registry.bind("tokenCache", new TokenCache(context.createProducerTemplate(),
                "direct:request-sanspbx-token", clock));
        registry.bind("apiTokenStrategy", new ApiTokenStrategy());

        // bound always (its routes start only in demo mode), so the simulator routes can always be built
        registry.bind("sansPbxSimulator", new SansPbxSimulator(
                    props.resolveProperty("simulator.sanspbx.access-token").orElseThrow(),
                    props.resolveProperty("simulator.sanspbx.access-key").orElseThrow(),
                    SansPbxRequests.basicAuth(props.resolveProperty("simulator.sanspbx.username").orElseThrow(),
                            props.resolveProperty("simulator.sanspbx.password").orElseThrow()),
                    seconds(props, "simulator.sanspbx.token-lifetime-seconds", 120),
                    seconds(props, "simulator.sanspbx.callback-delay-seconds", 5), zone, clock));
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

    private static Duration seconds(PropertiesComponent props, String key, long defaultSeconds) {
        return Duration.ofSeconds(Long.parseLong(props.resolveProperty(key).orElse(Long.toString(defaultSeconds))));
    }

    /** The HTTP server only warns when its port is taken and runs on deaf: refuse to start instead. */
    private static void requirePortFree(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is already in use: set PORT to a free port");
        }
    }
}

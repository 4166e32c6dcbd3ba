package voipgateway.providers;

import java.time.Duration;
import java.util.concurrent.Executor;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import voipgateway.config.Settings;
import voipgateway.crypto.CredentialCipher;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.routes.AsyncRoute;

/**
 * Provider accounts, their adapters and the provider requests (client, timeouts, hosts, circuit breakers), from
 * their settings (voip.provider-*, voip.allow-http-providers, voip.allowed-provider-hosts, voip.pacing.* defaults).
 */
public final class ProvidersConfiguration {

    private final long connectMillis;
    private final long responseMillis;
    private final int connectionsPerHost;
    private final CircuitBreakerConfig breakers;
    private final boolean allowHttp;
    private final String allowedHosts;
    private final ProviderAccount.Limits defaultLimits;

    public ProvidersConfiguration(Settings settings, boolean demo) {
        connectMillis = settings.whole("voip.provider-connect-timeout-ms", 1, 60_000);
        responseMillis = settings.whole("voip.provider-response-timeout-ms", 1, 600_000);
        connectionsPerHost = (int) settings.whole("voip.provider-connections-per-host", 1, 10_000);
        breakers = CircuitBreakerConfig.custom()
                .slidingWindowSize((int) settings.whole("voip.provider-breaker.sliding-window-size", 1, 10_000))
                .minimumNumberOfCalls((int) settings.whole("voip.provider-breaker.minimum-number-of-calls", 1, 10_000))
                .failureRateThreshold(settings.whole("voip.provider-breaker.failure-rate-threshold", 1, 100))
                .waitDurationInOpenState(settings.seconds("voip.provider-breaker.open-seconds", 1, 3_600))
                .permittedNumberOfCallsInHalfOpenState(
                        (int) settings.whole("voip.provider-breaker.half-open-calls", 1, 1_000))
                .build();
        allowHttp = demo || settings.flag("voip.allow-http-providers");
        // demo mode calls its own simulator over plain http on this host
        allowedHosts = settings.text("voip.allowed-provider-hosts", "") + (demo ? ",localhost,127.0.0.1" : "");
        defaultLimits = new ProviderAccount.Limits((int) settings.whole("voip.pacing.calls-per-second", 0, 100_000),
                (int) settings.whole("voip.pacing.max-concurrent-calls", 0, 100_000));
    }

    /** The longest one provider request may take: waiting for a connection, then for the answer. */
    public Duration longestRequest() {
        return Duration.ofMillis(ProviderHttpBinding.connectionWaitMillis(connectMillis) + responseMillis);
    }

    /**
     * providerClient, providerHttp, providerAdapters (an adapter file that breaks the contract is refused when it
     * loads), providerStore, providerHosts, providerRequests (under each account's breaker; {@code worker}: where a
     * route goes on once its answer is in), providerAnswers.
     */
    public ProviderAdapters bind(CamelContext context, CredentialCipher cipher, GatewayMetrics metrics, Executor worker) {
        Registry registry = context.getRegistry();
        registry.bind("providerClient", client());
        registry.bind("providerHttp", new ProviderHttpBinding(connectMillis, responseMillis));
        ProviderAdapters adapters = new ProviderAdapters();
        AdapterContract.install(context);
        adapters.setCamelContext(context);
        registry.bind("providerAdapters", adapters);
        registry.bind("providerStore", new ProviderStore(cipher, adapters, defaultLimits));
        ProviderHosts hosts = new ProviderHosts(allowHttp, allowedHosts);
        registry.bind("providerHosts", hosts);
        registry.bind("providerRequests", new ProviderRequests(hosts, new ProviderBreakers(breakers,
                new AsyncRoute(context.getEndpoint("direct:send-provider-request")), worker, metrics)));
        registry.bind("providerAnswers", new ProviderAnswers());
        return adapters;
    }

    /**
     * The provider HTTP client (camel-vertx-http, on the service's Vert.x): it waits for an answer without holding a
     * thread. Never a redirect followed, nor a cookie kept (one client serves every account and tenant), nor a POST
     * repeated. A connection the PBX closed leaves the pool when it closes, not when a dial is written to it.
     */
    private WebClientOptions client() {
        return new WebClientOptions().setMaxPoolSize(connectionsPerHost).setConnectTimeout((int) connectMillis)
                .setFollowRedirects(false).setKeepAlive(true).setTryUseCompression(false);
    }
}

package voipgateway.tenants;

import java.time.Duration;
import java.util.function.IntSupplier;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.config.Settings;

/** API keys, their rate limits and the admin key, from their settings (voip.rate-limit-*, voip.admin-key, ...). */
public final class TenantsConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(TenantsConfiguration.class);

    private final long rateLimit;
    private final Duration ratePeriod;
    private final int failuresPerMinute;
    private final String adminKey;
    private final String bootstrapKey;
    private final boolean demo;

    public TenantsConfiguration(Settings settings, boolean demo) {
        rateLimit = settings.whole("voip.rate-limit-requests", 1, 1_000_000);
        ratePeriod = Duration.ofMillis(settings.whole("voip.rate-limit-period-ms", 1_000, 86_400_000));
        failuresPerMinute = (int) settings.whole("voip.auth.failures-per-minute", 1, 1_000_000);
        adminKey = settings.text("voip.admin-key", "");
        bootstrapKey = settings.text("voip.bootstrap-api-key", "");
        this.demo = demo;
    }

    /**
     * apiKeys, rateLimits (a key's allowance split between the {@code instances} alive), tenantAdmin; and tenant
     * "default"'s key when VOIP_BOOTSTRAP_API_KEY gives one (demo mode makes one up if none is set).
     */
    public void bind(Registry registry, MongoDatabase db, Duration cacheAge, long cacheEntries, IntSupplier instances) {
        KeyGuesses keyGuesses = new KeyGuesses(failuresPerMinute, cacheEntries);
        registry.bind("apiKeys", new ApiKeys(cacheAge, cacheEntries, keyGuesses));
        registry.bind("rateLimits", new RateLimits(rateLimit, ratePeriod, cacheEntries, instances));
        registry.bind("tenantAdmin", new TenantAdmin(adminKey, keyGuesses));
        String key = bootstrapKey;
        if (key.isBlank() && demo) {
            key = ApiKeys.newKey();
            LOG.warn("DEMO MODE: API key for tenant 'default': {}  (send it as Authorization: Bearer <key>;"
                    + " set VOIP_BOOTSTRAP_API_KEY to choose it)", key);
        }
        if (!key.isBlank()) {
            ApiKeys.bootstrap(db, key);
        }
    }
}

package voipgateway.usage;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.apache.camel.spi.Registry;
import org.bson.Document;
import voipgateway.calls.CallVersions;
import voipgateway.config.Settings;
import voipgateway.providers.ProviderAdapters;

/** The tenants' usage and the calls' prices, from their settings (voip.prices.*; the queue in prices.lookups.uri). */
public final class UsageConfiguration {

    private final List<Duration> lookupDelays;

    public UsageConfiguration(Settings settings) {
        String key = "voip.prices.lookup-delays-seconds";
        List<String> listed = settings.list(key, "60, 300, 1800, 7200");
        Settings.require(!listed.isEmpty() && listed.size() <= 20 && listed.stream().allMatch(d -> d.matches("[0-9]{1,6}")),
                key, "must be 1 to 20 delays in seconds, comma separated");
        lookupDelays = listed.stream().map(delay -> Duration.ofSeconds(Long.parseLong(delay))).toList();
    }

    /** callUsage, callPrices, priceLookups, usageReport. */
    public void bind(Registry registry, MongoDatabase db, ProviderAdapters adapters, Clock clock) {
        MongoCollection<Document> days = db.getCollection(CallUsage.COLLECTION);
        CallUsage usage = new CallUsage(days);
        registry.bind("callUsage", usage);
        registry.bind("callPrices", new CallPrices(registry.lookupByNameAndType("callVersions", CallVersions.class),
                usage));
        registry.bind("priceLookups", new PriceLookups(adapters, lookupDelays, clock));
        registry.bind("usageReport", new UsageReport(days));
    }
}

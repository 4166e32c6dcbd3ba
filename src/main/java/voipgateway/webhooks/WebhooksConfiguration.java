package voipgateway.webhooks;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.calls.CallEvents;
import voipgateway.config.Settings;
import voipgateway.crypto.CredentialCipher;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.providers.ProviderHosts;
import voipgateway.routes.AsyncRoute;

/**
 * Webhooks to tenants: their endpoints, the calls' events and their deliveries, from their settings
 * (voip.webhooks.*; the queues in webhooks.*.uri, which routes/webhooks.yaml reads).
 */
public final class WebhooksConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger("voipgateway.webhooks");
    /** Where a written call's events wait to be put on the bus (route relay-call-events). */
    public static final String RELAY = "seda:relay-call-events?size=10000&blockWhenFull=false";

    private final WebhookAttempts.Settings attempts;
    private final int maxPerTenant;
    private final Duration overlap;
    private final Duration leftFor;

    public WebhooksConfiguration(Settings settings) {
        attempts = new WebhookAttempts.Settings((int) settings.whole("voip.webhooks.endpoint-concurrency", 1, 100),
                settings.millis("voip.webhooks.first-retry-ms", 10, 3_600_000),
                settings.seconds("voip.webhooks.longest-retry-seconds", 1, 86_400),
                settings.seconds("voip.webhooks.retry-for-seconds", 1, 30L * 86_400),
                settings.seconds("voip.webhooks.disable-after-seconds", 1, 365L * 86_400));
        maxPerTenant = (int) settings.whole("voip.webhooks.max-per-tenant", 1, 1000);
        overlap = Duration.ofHours(settings.whole("voip.webhooks.rotation-overlap-hours", 0, 720));
        leftFor = settings.seconds("voip.webhooks.outbox-left-seconds", 1, 86_400);
    }

    /**
     * webhooks, webhookApi, webhookDeliveries, webhookAttempts, callEventRelay; answers what the calls' writers use
     * to add events to a change and hand them on.
     */
    public CallEvents bind(CamelContext context, MongoDatabase db, CredentialCipher cipher, GatewayMetrics metrics,
            Executor workers, Clock clock, Duration cacheAge, long cacheEntries) {
        Registry registry = context.getRegistry();
        Webhooks webhooks = new Webhooks(db, cipher, cacheAge, cacheEntries, clock);
        registry.bind("webhooks", webhooks);
        ProviderHosts hosts = registry.lookupByNameAndType("providerHosts", ProviderHosts.class);
        registry.bind("webhookApi", new WebhookApi(webhooks, hosts, cipher, maxPerTenant, overlap, clock));
        registry.bind("webhookDeliveries", new WebhookDeliveries(db, webhooks, clock));
        WebhookAttempts webhookAttempts = new WebhookAttempts(db.getCollection(WebhookDeliveries.COLLECTION), webhooks,
                hosts, new AsyncRoute(context.getEndpoint("direct:send-webhook-request")), workers, metrics, clock, attempts);
        registry.bind("webhookAttempts", webhookAttempts);
        registry.bind("callEventRelay", new CallEventRelay(db, clock, leftFor));
        ProducerTemplate[] relay = new ProducerTemplate[1];
        return new CallEvents(webhooks::wants, call -> {
            try {
                synchronized (relay) {
                    if (relay[0] == null) {
                        relay[0] = context.createProducerTemplate();
                    }
                }
                relay[0].sendBody(RELAY, call);
            } catch (RuntimeException e) {
                // the events stay in the call's outbox: route resend-call-events sends them
                LOG.warn("[webhooks] events of call {} wait for the next look for left-behind ones: {}",
                        call.getObjectId("_id"), e.getMessage());
            }
        });
    }

    public static void createIndexes(MongoDatabase db) {
        Webhooks.createIndexes(db);
        WebhookDeliveries.createIndexes(db);
        CallEventRelay.createIndexes(db);
    }
}

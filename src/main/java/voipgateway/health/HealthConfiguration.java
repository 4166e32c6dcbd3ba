package voipgateway.health;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.spi.Registry;
import voipgateway.queue.EmbeddedBroker;

/** GET /health: Camel's health checks (its routes and consumers) and these, found in the registry. */
public final class HealthConfiguration {

    private HealthConfiguration() {
    }

    /** mongoHealth, the queue consumers' checks, brokerHealth (with the embedded broker: null without), healthReport. */
    public static void bind(Registry registry, MongoDatabase db, EmbeddedBroker broker) {
        registry.bind("mongoHealth", new MongoHealthCheck(db));
        registry.bind("queueConsumerHealth", new QueueConsumerHealthCheck("queue-consumer", "dial-queued-call",
                "call-request"));
        registry.bind("tenantQueueConsumersHealth", new QueueConsumerHealthCheck("tenant-queue-consumers",
                "tenant-calls", "tenant call-request"));
        registry.bind("deferredCallbacksHealth", new QueueConsumerHealthCheck("deferred-callbacks-consumer",
                "apply-deferred-status-events", "deferred-callback"));
        if (broker != null) {
            registry.bind("brokerHealth", new BrokerHealthCheck(broker));
        }
        registry.bind("healthReport", new HealthReport());
    }
}

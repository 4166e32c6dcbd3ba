package voipgateway.queue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsHeaderFilterStrategy;
import org.apache.camel.component.kafka.KafkaHeaderFilterStrategy;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.springframework.jms.connection.CachingConnectionFactory;
import voipgateway.api.OutgoingHeaders;
import voipgateway.config.Ports;
import voipgateway.config.Settings;
import voipgateway.metrics.GatewayMetrics;

/**
 * The message bus: a running broker (broker.url) or, without one, the embedded Artemis, started in the background
 * so its journal loads while MongoDB starts and the routes are built (about 2 s, measured); the JMS connections,
 * the queued requests' reader and the per-tenant queues. From their settings (broker.*, voip.queue.*).
 */
public final class BusConfiguration {

    /** Headers a message of ours may carry on the bus. */
    private static final String[] BUS_HEADERS = {"requestId", "callId", "reason", "error", "field",
        BusConfiguration.DELIVER_AT};
    /** Artemis's own property: the message is delivered at this time (epoch milliseconds), not before. */
    public static final String DELIVER_AT = "_AMQ_SCHED_DELIVERY";

    private final String url;
    private final int embeddedPort;
    private final String callsQueue;
    private final String tenantQueuePrefix;
    private final String callbacksQueue;
    private final List<String> workQueues;
    private final boolean perTenant;
    private final Path dataDir;
    private String[] credentials;
    private EmbeddedBroker broker;
    private CompletableFuture<Void> started;

    public BusConfiguration(Settings settings, Path dataDir) {
        url = settings.text("broker.url", "");
        embeddedPort = settings.port("broker.embedded-port", 1);
        callsQueue = settings.text("broker.calls-queue", "voip.outbound-calls");
        tenantQueuePrefix = settings.text("voip.queue.tenant-queue-prefix", "voip.calls.");
        callbacksQueue = settings.text("broker.callbacks-queue", "voip.status-callbacks");
        perTenant = settings.flag("voip.queue.per-tenant");
        workQueues = List.of(settings.text("broker.webhook-events-queue", "voip.webhook-events"),
                settings.text("broker.webhook-deliveries-queue", "voip.webhook-deliveries"),
                settings.text("broker.campaign-events-queue", "voip.campaign-events"));
        credentials = new String[] {settings.text("broker.username", ""), settings.text("broker.password", "")};
        this.dataDir = dataDir;
    }

    /** Without broker.url, the embedded broker starts now, in the background; null with a running broker. */
    public EmbeddedBroker startEmbedded() {
        if (!url.isBlank()) {
            return null;
        }
        // probed first: Artemis only logs an acceptor that cannot bind, and a client on that port would then talk
        // to whatever holds it
        Ports.requireFree("127.0.0.1", embeddedPort, "BROKER_EMBEDDED_PORT (or BROKER_URL for a running broker)");
        credentials = EmbeddedBroker.credentials(credentials[0], credentials[1], dataDir);
        broker = new EmbeddedBroker(dataDir, embeddedPort, callsQueue, tenantQueuePrefix, callbacksQueue, workQueues,
                credentials);
        started = CompletableFuture.runAsync(broker::start, task -> new Thread(task, "embedded-broker-start").start());
        return broker;
    }

    /** The start failed after the embedded broker was started: it goes too. */
    public void abandon() {
        if (broker != null) {
            started.handle((ok, failure) -> null).join();
            broker.stop();
        }
    }

    /**
     * jmsConnectionFactory, unbufferedConnectionFactory, queuedCalls, tenantQueues; the embedded broker (embeddedBroker) awaited before the
     * consumers start and stopped last, its queues' depths as gauges.
     */
    public void bind(CamelContext context, MongoDatabase db, GatewayMetrics metrics) throws Exception {
        Registry registry = context.getRegistry();
        // what we send on the bus carries only headers we chose (application.properties sets these on the components)
        registry.bind("busMessageHeaders", new OutgoingHeaders(new JmsHeaderFilterStrategy(), BUS_HEADERS));
        registry.bind("kafkaMessageHeaders", new OutgoingHeaders(new KafkaHeaderFilterStrategy(), BUS_HEADERS));
        String brokerUrl = url;
        if (broker != null) {
            EmbeddedBroker embedded = broker;
            CompletableFuture<Void> start = started;
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStarting(CamelContext camel) {
                    awaitStart(start);
                }

                @Override
                public void onContextStopped(CamelContext camel) {
                    // last, once the consumers and the connections to it are closed; also after a failed start
                    start.handle((ok, failure) -> null).join();
                    embedded.stop();
                }
            });
            registry.bind("embeddedBroker", embedded);
            for (String queue : List.of(callsQueue, callbacksQueue, workQueues.get(0), workQueues.get(1))) {
                for (String name : List.of(queue, queue + ".dead-letter")) {
                    metrics.gauge("voip.queue.depth", "Messages waiting on an embedded broker queue", "queue", name,
                            () -> embedded.depth(name));
                }
            }
            brokerUrl = embedded.url();
        }
        CachingConnectionFactory connections = BrokerConnections.forUrl(brokerUrl, credentials[0], credentials[1]);
        registry.bind("jmsConnectionFactory", connections);
        context.addService(BrokerConnections.closing(connections), true, true);
        // webhook attempts: a consumer takes one message at a time, so one held by a slow endpoint holds no other
        CachingConnectionFactory oneAtATime = BrokerConnections.forUrl(BrokerConnections.withoutPrefetch(brokerUrl),
                credentials[0], credentials[1]);
        registry.bind("unbufferedConnectionFactory", oneAtATime);
        context.addService(BrokerConnections.closing(oneAtATime), true, true);
        registry.bind("queuedCalls", new QueuedCalls());
        registry.bind("tenantQueues", new TenantQueues(context, db.getCollection("tenants"), perTenant));
    }

    /** A part started in the background: its failure is the start's failure, as if it had started here. */
    private static void awaitStart(CompletableFuture<Void> started) {
        try {
            started.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}

package voipgateway.queue;

import java.nio.file.Path;

import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process ActiveMQ Artemis broker used when no BROKER_URL is given: a persistent journal under the data
 * directory (messages survive a restart) and a TCP acceptor on loopback that other processes can use too.
 * Call requests that fail for a passing reason are redelivered with back-off, without limit: never lost.
 */
public class EmbeddedBroker extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final Path dir;
    private final int port;
    private final String callsQueue;
    private final String callbacksQueue;
    private EmbeddedActiveMQ broker;

    public EmbeddedBroker(Path dataDir, int port, String callsQueue, String callbacksQueue) {
        this.dir = dataDir.resolve("artemis");
        this.port = port;
        this.callsQueue = callsQueue;
        this.callbacksQueue = callbacksQueue;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    protected void doStart() throws Exception {
        ConfigurationImpl config = new ConfigurationImpl();
        config.setPersistenceEnabled(true);
        config.setSecurityEnabled(false);
        config.setJournalType(JournalType.NIO);
        config.setJournalDirectory(dir.resolve("journal").toString());
        config.setBindingsDirectory(dir.resolve("bindings").toString());
        config.setPagingDirectory(dir.resolve("paging").toString());
        config.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        config.addAcceptorConfiguration("tcp", url());
        // call requests: a rolled-back one comes back after a growing delay
        config.addAddressSetting(callsQueue, neverDropped(callsQueue).setRedeliveryDelay(1000)
                .setRedeliveryMultiplier(2).setMaxRedeliveryDelay(60_000));
        // deferred status callbacks: a rolled-back one (a stop mid-apply) comes back first, so their order holds
        config.addAddressSetting(callbacksQueue, neverDropped(callbacksQueue).setRedeliveryDelay(0));
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
        broker.start();
        LOG.info("Embedded ActiveMQ Artemis broker listening on {} (journal in {})", url(), dir);
    }

    /** A message is redelivered until it is consumed: never dropped after some number of attempts. */
    private static AddressSettings neverDropped(String queue) {
        return new AddressSettings()
                .setDefaultAddressRoutingType(RoutingType.ANYCAST)
                .setMaxDeliveryAttempts(-1)
                // never reached (redelivery has no limit), but named so the broker does not warn at every start
                .setDeadLetterAddress(SimpleString.of(queue + ".dead-letter"))
                .setExpiryAddress(SimpleString.of(queue + ".dead-letter"));
    }

    /** Messages on a queue (0 for one not created yet). */
    public long depth(String queue) {
        var found = broker == null ? null : broker.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return found == null ? 0 : found.getMessageCount();
    }

    /** The running broker, for its health and its queues. */
    public ActiveMQServer server() {
        return broker.getActiveMQServer();
    }

    @Override
    protected void doStop() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }
}

package voipgateway.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.Set;

import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process ActiveMQ Artemis broker used when no BROKER_URL is given: a persistent journal under the data
 * directory (messages survive a restart) and a TCP acceptor on loopback that other processes can use too, with
 * the user and password of {@link #credentials} only (a message on its calls queue places a call for the tenant
 * it names: the queue is a trusted door). Call requests that fail for a passing reason are redelivered with
 * back-off, without limit: never lost.
 */
public class EmbeddedBroker extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final Path dir;
    private final int port;
    private final String callsQueue;
    private final String tenantCallsQueues;
    private final String callbacksQueue;
    private final List<String> workQueues;
    private final String username;
    private final String password;
    private EmbeddedActiveMQ broker;

    /** {@code workQueues}: other queues whose messages are redelivered with back-off, never dropped. */
    public EmbeddedBroker(Path dataDir, int port, String callsQueue, String tenantCallsQueuePrefix,
            String callbacksQueue, List<String> workQueues, String[] credentials) {
        this.workQueues = workQueues;
        this.dir = dataDir.resolve("artemis");
        this.port = port;
        this.callsQueue = callsQueue;
        this.tenantCallsQueues = tenantCallsQueuePrefix + "#";
        this.callbacksQueue = callbacksQueue;
        this.username = credentials[0];
        this.password = credentials[1];
    }

    /**
     * The user and password clients must give: those configured (BROKER_USERNAME, BROKER_PASSWORD), else user
     * {@code voip-gateway} and a password generated at the first start into the data folder (readable by its
     * owner only), where the log says it is.
     */
    public static String[] credentials(String username, String password, Path dataDir) {
        String user = username == null || username.isBlank() ? "voip-gateway" : username;
        if (password != null && !password.isBlank()) {
            return new String[] {user, password};
        }
        Path file = dataDir.resolve("artemis").resolve("broker-password");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                Files.writeString(file, HexFormat.of().formatHex(random), StandardCharsets.US_ASCII);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // a file system without POSIX permissions: the data folder's own protection applies
                }
                LOG.info("The embedded broker requires user '{}' and the password generated into {} (or set"
                        + " BROKER_USERNAME and BROKER_PASSWORD)", user, file);
            }
            return new String[] {user, Files.readString(file, StandardCharsets.US_ASCII).trim()};
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep the embedded broker's password in " + file, e);
        }
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    protected void doStart() throws Exception {
        ConfigurationImpl config = new ConfigurationImpl();
        config.setPersistenceEnabled(true);
        config.setSecurityEnabled(true);
        config.setJournalType(JournalType.NIO);
        config.setJournalDirectory(dir.resolve("journal").toString());
        config.setBindingsDirectory(dir.resolve("bindings").toString());
        config.setPagingDirectory(dir.resolve("paging").toString());
        config.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        config.addAcceptorConfiguration("tcp", url());
        // call requests: a rolled-back one comes back after a growing delay
        // (and each tenant's own: voip.queue.per-tenant)
        for (String calls : Stream.concat(Stream.of(callsQueue, tenantCallsQueues),
                workQueues.stream()).toList()) {
            config.addAddressSetting(calls, neverDropped(calls.equals(tenantCallsQueues) ? callsQueue : calls).setRedeliveryDelay(1000)
                    .setRedeliveryMultiplier(2).setMaxRedeliveryDelay(60_000));
        }
        // deferred status callbacks: a rolled-back one (a stop mid-apply) comes back first, so their order holds
        config.addAddressSetting(callbacksQueue, neverDropped(callbacksQueue).setRedeliveryDelay(0));
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
        broker.setSecurityManager(new ActiveMQSecurityManager() {
            @Override
            public boolean validateUser(String user, String given) {
                return username.equals(user) && given != null && MessageDigest.isEqual(
                        password.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public boolean validateUserAndRole(String user, String given, Set<Role> roles, CheckType checkType) {
                return validateUser(user, given);
            }
        });
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

package voipgateway.brokers;

import java.io.FileWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real Kafka broker for the tests (KRaft: broker and controller in one node, no ZooKeeper) in the tests' JVM,
 * on loopback, its log in a temporary folder; started once, at the first class that asks, and shared by every
 * test class after it (about 3 s to start).
 */
public final class KafkaBroker {

    private static KafkaBroker running;

    private final int port;
    private final KafkaRaftServer server;

    private KafkaBroker() throws IOException {
        Path dir = Files.createTempDirectory("kafka-broker");
        port = AvailablePortFinder.getNextAvailable();
        int controller;
        do {
            controller = AvailablePortFinder.getNextAvailable();
        } while (controller == port);
        Properties settings = new Properties();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
        settings.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("log.dirs", dir.resolve("log").toString());
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "1");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("num.partitions", "3");
        Path file = dir.resolve("server.properties");
        try (FileWriter out = new FileWriter(file.toFile())) {
            settings.store(out, null);
        }
        int formatted = kafka.tools.StorageTool$.MODULE$.execute(new String[] {"format", "-t",
            Uuid.randomUuid().toString(), "-c", file.toString()}, System.out);
        if (formatted != 0) {
            throw new IllegalStateException("kafka-storage format answered " + formatted);
        }
        server = new KafkaRaftServer(new KafkaConfig(settings), Time.SYSTEM);
        server.startup();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "kafka-broker-stop"));
    }

    /** The broker, started at the first call. */
    public static synchronized KafkaBroker shared() {
        if (running == null) {
            try {
                running = new KafkaBroker();
            } catch (IOException e) {
                throw new IllegalStateException("the test Kafka broker did not start", e);
            }
        }
        return running;
    }

    /** {@code host:port} for camel-kafka's {@code brokers}. */
    public String brokers() {
        return "127.0.0.1:" + port;
    }
}

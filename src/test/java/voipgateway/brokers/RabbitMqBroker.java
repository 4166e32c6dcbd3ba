package voipgateway.brokers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.test.AvailablePortFinder;

/**
 * A real RabbitMQ (Debian's {@code rabbitmq-server}, which {@code .ci/run} installs) started as a process of the
 * tests, on loopback, with its AMQP 1.0 plugin, its own node name, ports and data folder; started once, at the first
 * class that asks, and shared by every test class after it (about 5 s to start). Stopped when the tests' JVM ends.
 */
public final class RabbitMqBroker {

    /**
     * The Qpid JMS options RabbitMQ 3.x's AMQP 1.0 plugin needs, as the README gives them: queues declared beforehand
     * and addressed as {@code /amq/queue/<name>}; a receive that times out looks only at what the link already
     * holds instead of asking the broker to drain its credit, which the plugin does not answer; a prefetch of 10, so a
     * busy instance holds few messages another could dial (at 1, the client's credit top-ups stall here); send,
     * request and close timeouts: the plugin now and then never answers a session's opening or closing, and without
     * them the send waited, with the requests its listener held, until the connection closed (about one run in
     * three); with them it fails after a few seconds and its request is redelivered.
     */
    public static final String CLIENT_OPTIONS = "?jms.queuePrefix=/amq/queue/&jms.receiveLocalOnly=true"
            + "&jms.receiveNoWaitLocalOnly=true&jms.prefetchPolicy.all=10&jms.sendTimeout=5000&jms.requestTimeout=10000&jms.closeTimeout=5000";
    public static final String USER = "voip-bus";
    public static final String PASSWORD = "bus-password-of-the-tests";
    private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
    private static final Path CONTROL = Path.of("/usr/lib/rabbitmq/bin/rabbitmqctl");

    private static RabbitMqBroker running;

    private final int port;
    private final Map<String, String> environment;
    private final Process server;

    private RabbitMqBroker() throws IOException, InterruptedException {
        if (!Files.isExecutable(SERVER)) {
            throw new IllegalStateException(SERVER + " is missing: install Debian's rabbitmq-server (.ci/run does)");
        }
        Path dir = Files.createTempDirectory("rabbitmq");
        port = AvailablePortFinder.getNextAvailable();
        int distribution;
        do {
            distribution = AvailablePortFinder.getNextAvailable();
        } while (distribution == port);
        Path config = dir.resolve("rabbitmq.conf");
        Path definitions = dir.resolve("definitions.json");
        Files.writeString(definitions, definitions());
        Files.writeString(config, String.join("\n",
                "listeners.tcp.1 = 127.0.0.1:" + port,
                "load_definitions = " + definitions,
                "loopback_users = none", ""));
        environment = Map.of(
                "HOME", dir.toString(),
                "RABBITMQ_NODENAME", "voip-tests-" + port + "@localhost",
                "RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1",
                "RABBITMQ_NODE_PORT", Integer.toString(port),
                "RABBITMQ_DIST_PORT", Integer.toString(distribution),
                "RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString(),
                "RABBITMQ_LOG_BASE", dir.resolve("log").toString(),
                "RABBITMQ_CONFIG_FILE", config.toString(),
                "RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString(),
                "RABBITMQ_ENABLED_PLUGINS", "rabbitmq_amqp1_0");
        ProcessBuilder builder = new ProcessBuilder(SERVER.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.out").toFile());
        builder.environment().putAll(environment);
        server = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "rabbitmq-stop"));
        awaitPort(Duration.ofSeconds(90));
    }

    /**
     * The user, and the service's queues declared as quorum queues, as an operator would (the README says so): on a
     * classic queue, RabbitMQ 3.10's AMQP 1.0 plugin closes a session that asks to drain its credit (what a JMS
     * receive does when it times out on an empty queue), and the listener waits 60 s for the drain to end.
     */
    private static String definitions() {
        byte[] salt = new byte[4];
        new java.security.SecureRandom().nextBytes(salt);
        byte[] hash;
        try {
            java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            hash = sha256.digest(PASSWORD.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] salted = new byte[salt.length + hash.length];
        System.arraycopy(salt, 0, salted, 0, salt.length);
        System.arraycopy(hash, 0, salted, salt.length, hash.length);
        StringBuilder queues = new StringBuilder();
        for (String queue : List.of("voip.outbound-calls", "voip.call-events", "voip.outbound-calls.dead-letter",
                "voip.status-callbacks", "voip.status-callbacks.dead-letter")) {
            queues.append(queues.isEmpty() ? "" : ",").append("{\"name\":\"").append(queue)
                    .append("\",\"vhost\":\"/\",\"durable\":true,\"auto_delete\":false,")
                    .append("\"arguments\":{\"x-queue-type\":\"quorum\"}}");
        }
        return "{\"users\":[{\"name\":\"" + USER + "\",\"password_hash\":\""
                + java.util.Base64.getEncoder().encodeToString(salted)
                + "\",\"hashing_algorithm\":\"rabbit_password_hashing_sha256\",\"tags\":[\"administrator\"]}],"
                + "\"vhosts\":[{\"name\":\"/\"}],"
                + "\"permissions\":[{\"user\":\"" + USER + "\",\"vhost\":\"/\",\"configure\":\".*\","
                + "\"write\":\".*\",\"read\":\".*\"}],"
                + "\"queues\":[" + queues + "]}";
    }

    /** The broker, started at the first call. */
    public static synchronized RabbitMqBroker shared() {
        if (running == null) {
            try {
                running = new RabbitMqBroker();
            } catch (IOException e) {
                throw new IllegalStateException("the test RabbitMQ did not start", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while RabbitMQ started", e);
            }
        }
        return running;
    }

    /** {@code amqp://127.0.0.1:<port>}, for BROKER_URL. */
    public String url() {
        return "amqp://127.0.0.1:" + port;
    }

    /** Runs {@code rabbitmqctl} on this node (e.g. {@code stop_app}, {@code start_app}); answers what it printed. */
    public String control(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(CONTROL.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process control = builder.start();
        String output = new String(control.getInputStream().readAllBytes());
        if (control.waitFor() != 0) {
            throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + ": " + output);
        }
        return output;
    }

    /** Waits until the AMQP port takes connections again (after a start, or {@code start_app}). */
    public void awaitPort(Duration limit) throws InterruptedException {
        long until = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < until) {
            if (!server.isAlive()) {
                throw new IllegalStateException("rabbitmq-server ended with " + server.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("RabbitMQ did not listen on " + port + " within " + limit);
    }

    private void stop() {
        try {
            control("stop");
        } catch (Exception e) {
            server.destroyForcibly();
        }
    }
}

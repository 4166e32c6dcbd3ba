package voipgateway.storage;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoServer;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process MongoDB wire-protocol server used when no MONGODB_URI is given: data is kept in one H2 file
 * under the data directory, so it survives a restart. Clients reach it over a loopback socket like a real one.
 */
public class EmbeddedMongo extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);

    private static final int WORKER_THREADS = 32;

    private final Path file;
    private final int port;
    private MongoServer server;
    private String connectionString;

    public EmbeddedMongo(Path dataDir, int port) {
        this.file = dataDir.resolve("mongo.mv.db");
        this.port = port;
    }

    /** Starts at once: the client bean needs the address while beans are still being bound. */
    public String connectionString() {
        start();
        return connectionString;
    }

    @Override
    protected void doStart() throws Exception {
        Files.createDirectories(file.getParent());
        server = new MongoServer(new DurableH2Backend(file.toString()));
        // a command waiting for its commit holds its event-loop thread: enough of them that the writes of the calls in
        // flight share commits (4, Netty's default here, halved the calls a second)
        server.bind(new InetSocketAddress("127.0.0.1", port), 1, WORKER_THREADS);
        connectionString = server.getConnectionString();
        LOG.info("Embedded MongoDB server listening on {} (data in {})", connectionString, file);
    }

    @Override
    protected void doStop() {
        if (server != null) {
            server.shutdown();
        }
    }
}

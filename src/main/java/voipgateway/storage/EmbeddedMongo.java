package voipgateway.storage;

import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process MongoDB wire-protocol server used when no MONGODB_URI is given: data is kept in one H2 file
 * under the data directory, so it survives a restart. Clients reach it over a loopback socket like a real one.
 */
public class EmbeddedMongo extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);

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
        server = new MongoServer(new H2Backend(file.toString()));
        server.bind("127.0.0.1", port);
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

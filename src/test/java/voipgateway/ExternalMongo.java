package voipgateway;

import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoServer;
import voipgateway.storage.DurableH2Backend;
import org.apache.camel.test.AvailablePortFinder;

/**
 * A MongoDB wire-protocol server of its own (its data in one H2 file) on its own loopback port, given to the
 * service as MONGODB_URI, so a test can stop it and start it again under the running service.
 */
public final class ExternalMongo {

    private final int port = AvailablePortFinder.getNextAvailable();
    private final Path file;
    private volatile MongoServer server;

    public ExternalMongo(Path file) {
        this.file = file;
        start();
    }

    public String uri() {
        return "mongodb://127.0.0.1:" + port;
    }

    /** Up again with the data it had. */
    public void start() {
        server = new MongoServer(new DurableH2Backend(file.toString()));
        server.bind("127.0.0.1", port);
    }

    /** Gone at once: open connections are closed, new ones refused. */
    public void stop() {
        server.shutdownNow();
    }
}

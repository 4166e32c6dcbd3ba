package voipgateway.storage;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MongoDB connection: to MONGODB_URI when given, else to the embedded server started here. Either way the
 * driver talks the wire protocol over a socket, and the same code runs against both.
 */
public class MongoStorage extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(MongoStorage.class);

    private final EmbeddedMongo embedded;
    private final MongoClient client;

    /** {@code schema}: the indexes and migrations, run on the database before anything uses it. */
    public MongoStorage(String uri, String database, Path dataDir, int embeddedPort, long selectionTimeoutMillis,
            int maxConnections, Consumer<MongoDatabase> schema) {
        boolean useEmbedded = uri == null || uri.isBlank();
        embedded = useEmbedded ? new EmbeddedMongo(dataDir, embeddedPort) : null;
        String connection = useEmbedded ? embedded.connectionString() : uri;
        client = MongoClients.create(MongoClientSettings.builder()
                .applyToClusterSettings(c -> c.serverSelectionTimeout(selectionTimeoutMillis, TimeUnit.MILLISECONDS))
                // every call in flight may need a connection at once: none waits for one (the driver's default is 100)
                .applyToConnectionPoolSettings(p -> p.maxSize(maxConnections))
                .applyConnectionString(new ConnectionString(connection))
                .build());
        if (!useEmbedded) {
            LOG.info("Using MongoDB at {}", new ConnectionString(uri).getHosts());
        }
        schema.accept(client.getDatabase(database));
    }

    /** Whether this is the embedded server (no MONGODB_URI). */
    public boolean embedded() {
        return embedded != null;
    }

    public MongoClient client() {
        return client;
    }

    @Override
    protected void doStop() {
        client.close();
        if (embedded != null) {
            embedded.stop();
        }
    }
}

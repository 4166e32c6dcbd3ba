package voipgateway.health;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.bson.Document;

/** MongoDB answers a ping within two seconds. */
public class MongoHealthCheck extends ReadinessCheck {

    private final MongoDatabase database;

    public MongoHealthCheck(MongoDatabase database) {
        super("mongodb");
        this.database = database.withTimeout(2, TimeUnit.SECONDS);
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            database.runCommand(new Document("ping", 1));
            builder.up();
        } catch (RuntimeException e) {
            // the driver's message may name hosts and users: only its kind is told
            builder.down().message("MongoDB does not answer (" + e.getClass().getSimpleName() + ")");
        }
    }
}

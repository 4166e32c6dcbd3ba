package voipgateway.storage;

import java.util.Date;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * The collections this service keeps (each package that owns one defines its indexes and migrations), and the
 * helpers those use.
 */
public final class Collections {

    public static final String PROVIDERS = "voipproviders";
    public static final String NUMBERS = "voipnumbers";
    public static final String AGENTS = "agents";
    public static final String CALLS = "calls";
    /** The live calls of accounts without a concurrency limit (LiveCalls, Pacing). */
    public static final String LIVE_CALLS = "live";
    /** One document per data migration done (its name as _id). */
    static final String MIGRATIONS = "migrations";

    private Collections() {
    }

    /** An index of an earlier version, dropped. */
    public static void dropIfPresent(MongoCollection<Document> collection, String index) {
        for (Document existing : collection.listIndexes()) {
            if (index.equals(existing.getString("name"))) {
                collection.dropIndex(index);
            }
        }
    }

    /** A data migration, run unless {@code migrations} records it as done; recorded once it is. */
    public static void once(MongoDatabase db, String name, Runnable migration) {
        MongoCollection<Document> migrations = db.getCollection(MIGRATIONS);
        if (migrations.find(Filters.eq("_id", name)).first() != null) {
            return;
        }
        migration.run();
        migrations.updateOne(Filters.eq("_id", name), Updates.set("doneAt", new Date()), new UpdateOptions().upsert(true));
    }
}

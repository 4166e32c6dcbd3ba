package voipgateway.storage;

import com.mongodb.client.MongoDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded MongoDB server answers every request-path query through an index, but listing calls
 * ({@code GET /calls}) scans the collection there: past {@code voip.embedded-calls-warning} stored calls a page
 * takes long enough to notice (see docs/benchmarks.md). Said once in the log when the collection grows past it; a real
 * MongoDB (MONGODB_URI) uses the listing indexes instead.
 */
public class EmbeddedStorageWatch {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStorageWatch.class);

    private final MongoDatabase db;
    private final long warnAbove;
    private boolean warned;

    public EmbeddedStorageWatch(MongoDatabase db, long warnAbove) {
        this.db = db;
        this.warnAbove = warnAbove;
    }

    public synchronized void check() {
        long calls = db.getCollection(Collections.CALLS).estimatedDocumentCount();
        if (calls > warnAbove && !warned) {
            LOG.warn("[storage] the embedded MongoDB server holds {} calls (more than {}): listing calls (GET /calls)"
                    + " scans them all and slows down as they grow; placing calls, callbacks and GET /calls/{{id}}"
                    + " do not. Set MONGODB_URI to a MongoDB server for this volume", calls, warnAbove);
        }
        warned = calls > warnAbove;
    }
}

package voipgateway.pacing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import org.apache.camel.support.service.ServiceSupport;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live calls of provider accounts without a concurrency limit (collection {@code live}, {@code _id} the call):
 * what the sweeper reads to settle a call whose end was never reported ({@link Pacing}). Kept off the request path:
 * a dial and a call's end change what is pending here, and {@link #write} stores it all in one bulk write (route
 * {@code write-live-calls} about every second, and once more when the service stops). That is one write a second
 * instead of one per dial and one per status callback that ends a call.
 *
 * <p>A change that could not be written (MongoDB down) stays pending for the next write, unless a newer change of
 * the same call replaced it. Both kinds are idempotent (the same upsert, a delete), so writing one twice is
 * harmless. The pending changes cannot grow while MongoDB is down: no call is dialled then (its claim is a write)
 * and callbacks wait on the broker. Lost when the process is killed: the changes of its last second. A call dialled
 * then whose final status never comes stays as it was instead of being swept; an end that was lost leaves a slot
 * the sweeper's look at held slots frees.
 */
public class LiveCalls extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LiveCalls.class);
    /** The pending change of a call that ended: its document goes. */
    private static final Document ENDED = new Document();

    private final MongoCollection<Document> live;
    private final Map<ObjectId, Document> pending = new ConcurrentHashMap<>();

    public LiveCalls(MongoCollection<Document> live) {
        this.live = live;
    }

    /** The call holds its slot ({@code held}: its document without {@code _id}). */
    void hold(ObjectId call, Document held) {
        pending.put(call, held);
    }

    /** The call no longer holds its slot. */
    void end(ObjectId call) {
        pending.put(call, ENDED);
    }

    /** Stores the pending changes in one bulk write; answers how many. Failing, they stay pending. */
    public int write() {
        Map<ObjectId, Document> batch = new HashMap<>();
        for (ObjectId call : pending.keySet()) {
            Document change = pending.remove(call);
            if (change != null) {
                batch.put(call, change);
            }
        }
        if (batch.isEmpty()) {
            return 0;
        }
        List<WriteModel<Document>> writes = new ArrayList<>(batch.size());
        batch.forEach((call, change) -> writes.add(change == ENDED
                ? new DeleteOneModel<>(new Document("_id", call))
                : new ReplaceOneModel<>(new Document("_id", call), change, new ReplaceOptions().upsert(true))));
        try {
            live.bulkWrite(writes, new BulkWriteOptions().ordered(false));
        } catch (RuntimeException e) {
            // a newer change of the same call, made meanwhile, wins
            batch.forEach(pending::putIfAbsent);
            throw e;
        }
        return batch.size();
    }

    @Override
    protected void doStop() {
        try {
            write();
        } catch (RuntimeException e) {
            LOG.warn("[pacing] {} live-call changes could not be stored at stop ({})", pending.size(),
                    e.getClass().getSimpleName());
        }
    }
}

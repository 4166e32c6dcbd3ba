package voipgateway.calls;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import voipgateway.storage.MongoRequests;

/**
 * Optimistic concurrency for calls: every write of a call is a compare-and-set on {@code {_id, version}} (a
 * unique index, so even the embedded server answers it by one lookup) that also moves the version on. Two
 * writers of one call (the dial's outcome, status callbacks, a settlement) can never overwrite each other: the
 * loser reads the call again and computes its change from what it finds.
 */
public class CallVersions {

    public static final String VERSION = "version";
    private static final FindOneAndUpdateOptions AFTER = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);

    private final MongoCollection<Document> calls;
    private final CallEvents events;

    public CallVersions(MongoCollection<Document> calls) {
        this(calls, CallEvents.NONE);
    }

    /** {@code events}: a status change's event is written with it (the call's outbox). */
    public CallVersions(MongoCollection<Document> calls, CallEvents events) {
        this.calls = calls;
        this.events = events;
    }

    /** A change's outcome: the call as stored now, and whether this change was written. */
    public record Written(Document call, boolean applied) {
    }

    /**
     * Applies the change to the call ({@code known}: as last read; null = read it now), computed again from a
     * fresh read each time another writer came first; a change with nothing to do (null) ends it unwritten.
     */
    public Written write(ObjectId callId, Document known, CallChange change) {
        Document call = known != null ? known : read(callId);
        while (true) {
            Bson update = change.update(call);
            if (update == null) {
                return new Written(call, false);
            }
            update = events.withEvent(call, update);
            Integer version = call.getInteger(VERSION);
            Document after = calls.findOneAndUpdate(MongoRequests.match("_id", call.getObjectId("_id"), VERSION, version),
                    Updates.combine(update, Updates.set(VERSION, version == null ? 1 : version + 1)), AFTER);
            if (after != null) {
                events.written(after);
                return new Written(after, true);
            }
            call = read(callId);
        }
    }

    /**
     * The bean step for a route: in {@code callId}, {@code call} (as last known; null = read it), {@code callChange};
     * out {@code call} (as stored now) and {@code callApplied} (whether this change was written).
     */
    public void apply(@ExchangeProperty("callId") ObjectId callId, @ExchangeProperty("call") Document call,
            @ExchangeProperty("callChange") CallChange change, Exchange exchange) {
        put(write(callId, call, change), exchange);
    }

    static Written put(Written written, Exchange exchange) {
        exchange.setProperty("call", written.call());
        exchange.setProperty("callApplied", written.applied());
        return written;
    }

    private Document read(ObjectId callId) {
        Document call = calls.find(Filters.eq("_id", callId)).first();
        if (call == null) {
            throw new IllegalStateException("call " + callId + " is no longer stored");
        }
        return call;
    }
}

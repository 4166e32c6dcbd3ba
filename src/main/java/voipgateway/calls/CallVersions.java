package voipgateway.calls;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import voipgateway.storage.MongoRequests;

/**
 * Optimistic concurrency for calls: every write of a call is a compare-and-set on {@code {_id, version}} (a
 * unique index, so even the embedded server answers it by one lookup) that also moves the version on. Two
 * writers of one call (the dial's outcome, status callbacks, a settlement) can never overwrite each other: the
 * loser reads the call again and computes its change from what it finds. Exchange properties, read and written
 * by the route {@code change-call}: {@code callId}, {@code call} (the call as last read or written; null = read
 * it), {@code callChange} (a {@link CallChange}), {@code callChanged} (done), {@code callApplied} (written), and
 * {@code callToRead} for the route's own test (a predicate over the call document itself would render all of it
 * into its failure message whenever the call is known).
 */
public class CallVersions {

    public static final String VERSION = "version";

    public void start(@ExchangeProperty("call") Document call, Exchange exchange) {
        exchange.setProperty("callChanged", false);
        exchange.setProperty("callApplied", false);
        exchange.setProperty("callToRead", call == null);
    }

    public void queryCall(@ExchangeProperty("callId") ObjectId callId, Message message) {
        MongoRequests.query(message, Filters.eq("_id", callId));
    }

    public Document read(Document call, @ExchangeProperty("callId") ObjectId callId) {
        if (call == null) {
            throw new IllegalStateException("call " + callId + " is no longer stored");
        }
        return call;
    }

    /** The compare-and-set of the change on the call as read; no change needed ends it. */
    public void change(@ExchangeProperty("call") Document call, @ExchangeProperty("callChange") CallChange change,
            Exchange exchange) {
        Bson update = change.update(call);
        if (update == null) {
            exchange.setProperty("callChanged", true);
            return;
        }
        Integer version = call.getInteger(VERSION);
        MongoRequests.update(exchange.getMessage(), MongoRequests.match("_id", call.getObjectId("_id"), VERSION, version),
                Updates.combine(update, Updates.set(VERSION, version == null ? 1 : version + 1)), false);
    }

    /** Written: the call as it is now. Lost a race: read it again. */
    public void settle(Document after, Exchange exchange) {
        exchange.setProperty("call", after);
        exchange.setProperty("callToRead", after == null);
        exchange.setProperty("callChanged", after != null);
        exchange.setProperty("callApplied", after != null);
    }
}

package voipgateway.callbacks;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.calls.CallLifecycle;
import voipgateway.storage.MongoRequests;

/**
 * Stores provider status events on their call. The whole change (status, the call's fields, the history entry)
 * is one conditional MongoDB update: it only moves the call forward, and only from the state it was read in.
 * Two callbacks of one call racing each other, a duplicate, or a late older event can never undo a newer state.
 */
public class StatusEventStore {

    private static final String CHANGE_SENT = "changeSent";

    private final CallbackTokens tokens;

    public StatusEventStore(CallbackTokens tokens) {
        this.tokens = tokens;
    }

    /** The callback URL must carry the token this service handed out for the call. */
    public void authenticate(@ExchangeProperty("event") StatusEvent event) {
        if (!tokens.isValid(event.urlCallId(), event.urlToken())) {
            throw new ApiException(403, "forbidden", "token", "callback token is missing or invalid");
        }
    }

    /** The call by our own id (record_id), which the PBX echoes back; else by the provider's call id. */
    public void queryCall(@ExchangeProperty("event") StatusEvent event, Message message) {
        if (event.recordId() != null && ObjectId.isValid(event.recordId())) {
            MongoRequests.query(message, Filters.eq("_id", new ObjectId(event.recordId())));
        } else {
            queryCallByProviderId(event, message);
        }
    }

    public void queryCallByProviderId(@ExchangeProperty("event") StatusEvent event, Message message) {
        MongoRequests.query(message, Filters.eq("providerCallId", event.providerCallId()));
    }

    /** A token is good for its own call only. */
    public void requireSameCall(@ExchangeProperty("event") StatusEvent event, @ExchangeProperty("call") Document call) {
        if (!call.getObjectId("_id").toHexString().equals(event.urlCallId())) {
            throw new ApiException(403, "forbidden", "token", "callback token belongs to another call");
        }
    }

    /**
     * The change this event makes to the call as read, as a compare-and-set: it matches only while the call
     * still has the status rank it was read with. No change (body null) when the call is already as far along.
     */
    public void change(@ExchangeProperty("event") StatusEvent event, @ExchangeProperty("call") Document call,
            Exchange exchange) {
        int rank = CallLifecycle.rank(event.status());
        int current = call.getInteger("statusRank", 0);
        exchange.setProperty(CHANGE_SENT, rank > current);
        if (rank <= current) {
            exchange.getMessage().setBody(null);
            return;
        }
        Date now = new Date();
        Document entry = new Document("status", event.status())
                .append("provider", event.provider())
                .append("occurredAt", event.occurredAt() == null ? null : Date.from(event.occurredAt()))
                .append("receivedAt", now)
                .append("payload", event.payload());
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.set("status", event.status()));
        updates.add(Updates.set("statusRank", rank));
        updates.add(Updates.set("updatedAt", now));
        event.changes().forEach((field, value) -> updates.add(Updates.set(field, value)));
        if (call.get("providerCallId") == null && event.providerCallId() != null) {
            // the callback overtook the dialcall answer
            updates.add(Updates.set("providerCallId", event.providerCallId()));
        }
        updates.add(Updates.push("statusHistory", entry));
        // {_id, statusRank} is a unique index: the compare-and-set is one indexed, atomic update
        MongoRequests.update(exchange.getMessage(), Filters.and(Filters.eq("_id", call.getObjectId("_id")),
                Filters.eq("statusRank", current)), Updates.combine(updates), false);
    }

    /**
     * After the compare-and-set: stored (or nothing to store) settles the event; a lost race with another
     * callback of the same call means reading the call again. Each lost race moved the call forward, so this
     * ends after at most as many rounds as the lifecycle has ranks.
     */
    public void settle(@ExchangeProperty("call") Document before, Document after, Exchange exchange) {
        boolean raced = after == null && exchange.getProperty(CHANGE_SENT, Boolean.class);
        exchange.setProperty("eventSettled", !raced);
        if (!raced) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("received", true);
            answer.put("callId", before.getObjectId("_id").toHexString());
            answer.put("applied", after != null);
            answer.put("status", after != null ? after.getString("status") : before.getString("status"));
            exchange.setProperty("answer", answer);
        }
    }

    /** A callback for no known call is kept, never thrown away. */
    public Document orphan(@ExchangeProperty("event") StatusEvent event) {
        return new Document("provider", event.provider())
                .append("recordId", event.recordId())
                .append("providerCallId", event.providerCallId())
                .append("urlCallId", event.urlCallId())
                .append("status", event.status())
                .append("payload", event.payload())
                .append("receivedAt", new Date());
    }

    public void orphanSettled(Exchange exchange) {
        exchange.setProperty("eventSettled", true);
        exchange.setProperty("answer", Map.of("received", true, "orphan", true));
    }

    /** The answer to the provider, once MongoDB acknowledged: 200 for a call, 202 for an orphan. */
    public Map<String, Object> answer(@ExchangeProperty("answer") Map<String, Object> answer, Message message) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.containsKey("orphan") ? 202 : 200);
        return answer;
    }
}

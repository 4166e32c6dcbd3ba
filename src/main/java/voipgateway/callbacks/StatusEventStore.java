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
 * is one conditional MongoDB update that only matches while the call's status rank is lower than the event's:
 * two callbacks of one call racing each other, a duplicate, or a late older event can never undo a newer state.
 */
public class StatusEventStore {

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

    /** The call: by our own id (record_id) first, else by the provider's call id. */
    public void queryCall(@ExchangeProperty("event") StatusEvent event, Message message) {
        List<Bson> candidates = new ArrayList<>();
        if (event.recordId() != null && ObjectId.isValid(event.recordId())) {
            candidates.add(Filters.eq("_id", new ObjectId(event.recordId())));
        }
        if (event.providerCallId() != null) {
            candidates.add(Filters.eq("providerCallId", event.providerCallId()));
        }
        MongoRequests.query(message, candidates.isEmpty() ? Filters.eq("_id", null) : Filters.or(candidates));
    }

    /** A token is good for its own call only. */
    public void requireSameCall(@ExchangeProperty("event") StatusEvent event, @ExchangeProperty("call") Document call) {
        if (!call.getObjectId("_id").toHexString().equals(event.urlCallId())) {
            throw new ApiException(403, "forbidden", "token", "callback token belongs to another call");
        }
    }

    public void apply(@ExchangeProperty("event") StatusEvent event, @ExchangeProperty("call") Document call,
            Message message) {
        int rank = CallLifecycle.rank(event.status());
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
        MongoRequests.update(message, Filters.and(Filters.eq("_id", call.getObjectId("_id")),
                Filters.lt("statusRank", rank)), Updates.combine(updates), false);
    }

    /** The answer to the provider: 200 whether the event changed the call or was already known. */
    public Map<String, Object> outcome(@ExchangeProperty("call") Document before, Document after, Message message) {
        message.removeHeaders("*");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("received", true);
        answer.put("callId", before.getObjectId("_id").toHexString());
        answer.put("applied", after != null);
        answer.put("status", after != null ? after.getString("status") : before.getString("status"));
        return answer;
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

    public Map<String, Object> orphanOutcome(Message message) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return Map.of("received", true, "orphan", true);
    }
}

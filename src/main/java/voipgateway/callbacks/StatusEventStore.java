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
import voipgateway.calls.CallChange;
import voipgateway.calls.CallLifecycle;
import voipgateway.calls.CallbackTokens;
import voipgateway.providers.ProviderAnswers;
import voipgateway.storage.MongoRequests;

/**
 * Stores provider status events on their call. The whole change (status, the call's fields, the history entry)
 * is one write that only moves the call forward, made as a compare-and-set on the call's version (bean step
 * {@code callVersions.apply}): two callbacks of one call racing each other, a duplicate, or a late older event can
 * never undo a newer state.
 */
public class StatusEventStore {

    private final CallbackTokens tokens;

    public StatusEventStore(CallbackTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * The callback URL must carry the token this service handed out for the call, and a record_id in the body
     * must name that same call: a token is good for its own call, through its own provider's path, only.
     */
    public void authenticate(@ExchangeProperty("event") StatusEvent event) {
        if (!ObjectId.isValid(String.valueOf(event.urlCallId()))
                || !tokens.isValid(event.provider(), event.urlCallId(), event.urlToken())) {
            throw new ApiException(403, "forbidden", "token", "callback token is missing or invalid");
        }
        if (event.recordId() != null && !event.recordId().equals(event.urlCallId())) {
            throw new ApiException(403, "forbidden", "token", "callback token belongs to another call");
        }
    }

    /**
     * The call found is one the callback's provider placed: a callback on another adapter's path (whose checks,
     * such as Twilio's signature, it would escape) changes nothing.
     */
    public void requireProvider(@ExchangeProperty("event") StatusEvent event, @ExchangeProperty("call") Document call) {
        if (!event.provider().equalsIgnoreCase(call.getString("provider"))) {
            throw new ApiException(403, "forbidden", "token", "this call was not placed through " + event.provider());
        }
    }

    /** The call the (authenticated) callback URL names: by {@code _id}, an index everywhere. */
    public void queryCall(@ExchangeProperty("event") StatusEvent event, Message message) {
        MongoRequests.query(message, Filters.eq("_id", new ObjectId(event.urlCallId())));
    }

    /**
     * The change this event makes to the call: it only moves the call forward (a higher status rank); nothing when
     * the call is already as far along (a duplicate, or an older event arriving late). A report (an event without a
     * status: a machine detection's verdict, a recording) sets what it carries that the call does not hold yet,
     * whatever its status; the same report again changes nothing.
     */
    public CallChange change(@ExchangeProperty("event") StatusEvent event) {
        if (event.status() == null) {
            return report(event);
        }
        int rank = CallLifecycle.rank(event.status());
        return call -> {
            if (rank <= call.getInteger("statusRank", 0)) {
                return null;
            }
            Date now = new Date();
            List<Bson> updates = new ArrayList<>();
            updates.add(Updates.set("status", event.status()));
            updates.add(Updates.set("statusRank", rank));
            updates.add(Updates.set("updatedAt", now));
            Document changes = new Document(event.changes());
            CallEndings.machineOutcome(changes, call);
            changes.forEach((field, value) -> updates.add(Updates.set(field, value)));
            if (call.get("providerCallId") == null && ProviderAnswers.isCallId(event.providerCallId())) {
                // the callback overtook the dialcall answer
                updates.add(Updates.set("providerCallId", event.providerCallId()));
            }
            updates.add(Updates.push("statusHistory", historyEntry(event, "status", event.status(), now)));
            return Updates.combine(updates);
        };
    }

    private static CallChange report(StatusEvent event) {
        return call -> {
            Document changes = new Document();
            event.changes().forEach((field, value) -> {
                if (!value.equals(call.get(field))) {
                    changes.append(field, value);
                }
            });
            if (changes.isEmpty()) {
                return null;
            }
            CallEndings.machineOutcome(changes, call);
            Date now = new Date();
            List<Bson> updates = new ArrayList<>();
            changes.forEach((field, value) -> updates.add(Updates.set(field, value)));
            updates.add(Updates.set("updatedAt", now));
            updates.add(Updates.push("statusHistory", historyEntry(event, "report",
                    changes.containsKey("machineVerdict") ? "machine_detection" : "recording", now)));
            return Updates.combine(updates);
        };
    }

    /** What the call's history keeps of a callback: its status (or the report it is), when, and what it said. */
    private static Document historyEntry(StatusEvent event, String kind, String value, Date now) {
        return new Document(kind, value)
                .append("provider", event.provider())
                .append("occurredAt", event.occurredAt() == null ? null : Date.from(event.occurredAt()))
                .append("receivedAt", now)
                .append("payload", event.payload());
    }

    /** What the provider is told: the call, whether this event changed it, and its status now. */
    public void applied(@ExchangeProperty("call") Document call, @ExchangeProperty("callApplied") boolean applied,
            Exchange exchange) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("received", true);
        answer.put("callId", call.getObjectId("_id").toHexString());
        answer.put("applied", applied);
        answer.put("status", call.getString("status"));
        exchange.setProperty("answer", answer);
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
        exchange.setProperty("answer", Map.of("received", true, "orphan", true));
    }

    /** The answer to the provider, once MongoDB acknowledged: 200 for a call, 202 for an orphan. */
    public Map<String, Object> answer(@ExchangeProperty("answer") Map<String, Object> answer, Message message) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.containsKey("orphan") ? 202 : 200);
        return answer;
    }
}

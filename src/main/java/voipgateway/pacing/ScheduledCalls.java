package voipgateway.pacing;

import java.time.Clock;
import java.time.ZoneId;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.mongodb.MongoDbConstants;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.calls.CallChange;
import voipgateway.calls.CallEvents;
import voipgateway.calls.CallLifecycle;
import voipgateway.calls.CallStore;
import voipgateway.calls.CallVersions;
import voipgateway.calls.DialChanges;
import voipgateway.calls.ProviderFeatures;
import voipgateway.calls.OutboundCallRequest;
import voipgateway.compliance.CallingRules;
import voipgateway.storage.MongoRequests;

/**
 * Calls the calling rules put off until their window opens. Each has an entry in {@code schedule}
 * ({@code _id}: the call's id, {@code dueAt}), a collection as small as the number of calls waiting, so the
 * scheduler's look for due calls never grows with the calls stored. The call itself stays {@code scheduled} until
 * the scheduler takes it (the dial ledger's compare-and-set to {@code dialing}: one instance dials it, however
 * many look). Exchange properties: reads {@code call}, {@code callId}; sets {@code request}, {@code tenantId},
 * {@code agentId}, {@code requestId}.
 */
public class ScheduledCalls {

    private static final int BATCH = 100;

    private final Clock clock;
    private final CallEvents events;

    public ScheduledCalls(Clock clock, CallEvents events) {
        this.clock = clock;
        this.events = events;
    }

    /** The call's entry, written (again) whenever a scheduled call is seen through its key. */
    public void keep(@ExchangeProperty("call") Document call, Message message) {
        MongoRequests.update(message, Filters.eq("_id", call.getObjectId("_id")), Updates.combine(
                Updates.set("dueAt", call.getDate("scheduledFor")), Updates.set("userId", call.getString("userId"))),
                true);
    }

    /** Entries due now, soonest first, a batch at a time. */
    public void queryDue(Message message) {
        MongoRequests.query(message, Filters.lte("dueAt", Date.from(clock.instant())));
        message.setHeader(MongoDbConstants.SORT_BY, new Document("dueAt", 1));
        message.setHeader(MongoDbConstants.LIMIT, BATCH);
    }

    public void queryCall(@ExchangeProperty("callId") ObjectId callId, Message message) {
        MongoRequests.query(message, Filters.eq("_id", callId));
    }

    /** The request as the call stored it, to be checked and dialled now. */
    public OutboundCallRequest request(@ExchangeProperty("call") Document call, Exchange exchange) {
        exchange.setProperty("tenantId", call.getString("userId"));
        exchange.setProperty("agentId", call.getString("agentId"));
        exchange.setProperty("requestId", call.getString("idempotencyKey"));
        exchange.setProperty("retryable", false);
        String zone = call.getString("calleeTimeZone");
        return new OutboundCallRequest(call.getString("agentId"), call.getString("leadId"), call.getString("toPhone"),
                call.getString("callTo"), call.get("purpose", "promotional"), true, zone == null ? null : ZoneId.of(zone),
                call.get(ProviderFeatures.MACHINE_DETECTION, ProviderFeatures.OFF), call.getBoolean(ProviderFeatures.RECORD,
                false));
    }

    static boolean waiting(Document call) {
        return call != null && CallLifecycle.SCHEDULED.equals(call.getString("status"));
    }

    /** The outcome as a queued request's event reports it: the call's stored answer, else the call. */
    public Document outcome(@ExchangeProperty("call") Document call) {
        return call.get("response") != null ? call.get("response", Document.class)
                : DialChanges.storedResponse(200, CallStore.view(call));
    }

    /** A scheduled call that can never be dialled (property exception: why): failed, with the reason. */
    public CallChange fail(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = cause == null ? "the scheduled call could not be dialled" : cause.getMessage();
        return call -> {
            if (!waiting(call)) {
                return null;
            }
            return Updates.combine(Updates.set("status", CallLifecycle.FAILED),
                    Updates.set("statusRank", CallLifecycle.rank(CallLifecycle.FAILED)),
                    Updates.set("failureReason", reason), Updates.set("updatedAt", new Date()));
        };
    }

    /**
     * The next attempt at a lead after this call ended busy or unanswered, when the tenant's retries say so: its own
     * call, scheduled {@code delaySeconds} later (the scheduler checks the rules again then), linked to the first
     * ({@code firstCallId}, {@code retryOf}, {@code attempt}), its key the first's with the attempt. Null when no
     * retry is due: not a retryable outcome, the attempts of the day used up, or the next one on another day.
     */
    public Document retryOf(@ExchangeProperty("call") Document call, @ExchangeProperty("rules") CallingRules rules) {
        if (call.get(CallEvents.CAMPAIGN) != null || call.getBoolean("permanent", false)) {
            // a campaign retries its leads itself, under its own cap and pause; a declined call or a number that
            // does not exist is never dialled again, whatever the rule says
            return null;
        }
        int attempt = call.getInteger("attempt", 1);
        CallingRules.Retries retries = rules.retries();
        String ended = CallingRules.retryClass(call.getString("status"), call.getString("outcome"));
        if (!retries.on().contains(ended) || attempt >= retries.maxAttemptsPerDay()) {
            return null;
        }
        java.time.Instant due = clock.instant().plusSeconds(retries.delaySeconds());
        Date firstAt = call.getDate("firstAttemptAt") != null ? call.getDate("firstAttemptAt") : call.getDate("createdAt");
        ZoneId zone = call.getString("calleeTimeZone") != null ? ZoneId.of(call.getString("calleeTimeZone"))
                : rules.timeZone();
        if (!due.atZone(zone).toLocalDate().equals(firstAt.toInstant().atZone(zone).toLocalDate())) {
            return null;
        }
        ObjectId id = new ObjectId();
        Date now = new Date(clock.millis());
        Document retry = new Document("_id", id);
        for (String field : new String[] {"userId", "agentId", "leadId", "toPhone", "callTo", "did", "provider",
                "providerId", "purpose", "calleeTimeZone", "requestHash", ProviderFeatures.MACHINE_DETECTION,
                ProviderFeatures.RECORD}) {
            if (call.get(field) != null) {
                retry.append(field, call.get(field));
            }
        }
        ObjectId first = call.getObjectId("firstCallId") != null ? call.getObjectId("firstCallId")
                : call.getObjectId("_id");
        String firstKey = call.getString("idempotencyKey").replaceAll("#attempt-[0-9]+$", "");
        retry.append("idempotencyKey", firstKey + "#attempt-" + (attempt + 1))
                .append("firstCallId", first).append("retryOf", call.getObjectId("_id")).append("attempt", attempt + 1)
                .append("firstAttemptAt", firstAt)
                .append("status", CallLifecycle.SCHEDULED).append("statusRank", 0)
                .append("reason", "retry_" + ended).append("scheduledFor", Date.from(due))
                .append("createdAt", now).append("updatedAt", now).append(CallVersions.VERSION, 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id.toHexString());
        body.put("status", CallLifecycle.SCHEDULED);
        body.put("reason", retry.getString("reason"));
        body.put("scheduledFor", due.toString());
        body.put("firstCallId", first.toHexString());
        body.put("attempt", attempt + 1);
        return events.withEvent(call.getString("userId"), retry.append("response", DialChanges.storedResponse(202, body)));
    }

    /** A retry's entry for the scheduler. */
    public void keepRetry(@ExchangeProperty("retry") Document retry, Message message) {
        keep(retry, message);
    }

    public void queryRemoval(@ExchangeProperty("callId") ObjectId callId, Message message) {
        MongoRequests.query(message, Filters.eq("_id", callId));
        message.setBody(Filters.eq("_id", callId));
    }

    /** The scheduler takes the soonest due calls. */
    public static void createIndexes(MongoDatabase db) {
        db.getCollection("schedule").createIndex(Indexes.ascending("dueAt"));
    }
}

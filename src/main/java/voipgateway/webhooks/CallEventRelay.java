package voipgateway.webhooks;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.api.Json;
import voipgateway.calls.CallEvents;
import voipgateway.storage.Collections;
import voipgateway.storage.ReadCache;

/**
 * Puts the events waiting in a call's outbox ({@link CallEvents}) on the bus, then takes them out of the outbox:
 * each is sent at least once (an event sent but not yet taken out is sent again, with the same id, which the
 * deliveries and receivers recognise). Route {@code relay-call-events} calls it for each call written with events;
 * route {@code resend-call-events} finds outboxes left behind (the instance stopped, the broker was down) on the
 * leader, only while some tenant has webhooks or a campaign runs. A real MongoDB answers that look by a sparse index; the embedded server
 * scans the calls, so it runs every voip.webhooks.outbox-check-seconds.
 */
public class CallEventRelay {

    private static final int BATCH = 200;

    private final MongoCollection<Document> calls;
    private final MongoCollection<Document> webhooks;
    private final MongoCollection<Document> campaignRuns;
    private final Clock clock;
    private final Duration leftFor;
    /** The last event of each recent call put on the bus from here: a later write's outbox may still hold it. */
    private final ReadCache<ObjectId, Integer> relayed = new ReadCache<>(Duration.ofMinutes(10), 100_000);

    /** {@code leftFor}: how old an event must be for the look for left-behind ones to send it. */
    public CallEventRelay(MongoDatabase db, Clock clock, Duration leftFor) {
        this.calls = db.getCollection(Collections.CALLS);
        this.webhooks = db.getCollection(Webhooks.COLLECTION);
        this.campaignRuns = db.getCollection("campaign_runs");
        this.clock = clock;
        this.leftFor = leftFor;
    }

    public static void createIndexes(MongoDatabase db) {
        db.getCollection(Collections.CALLS).createIndex(Indexes.ascending("outbox.at"), new IndexOptions().sparse(true));
    }

    /**
     * The call's waiting events as bus messages, oldest first: {@code {id, type, timestamp, data}}; those put on the
     * bus from here already are left out.
     */
    public List<String> events(Document call) throws JsonProcessingException {
        Integer done = relayed.get(call.getObjectId("_id"));
        List<String> messages = new ArrayList<>();
        for (Document entry : call.getList(CallEvents.OUTBOX, Document.class, List.of())) {
            if (done == null || entry.getInteger("seq") > done) {
                messages.add(Json.MAPPER.writeValueAsString(event(call, entry)));
            }
        }
        return messages;
    }

    /** The events sent are no longer waiting (those written since stay). */
    public void sent(Document call) {
        ObjectId id = call.getObjectId("_id");
        int last = CallEvents.lastWaiting(call);
        Integer before = relayed.get(id);
        relayed.put(id, before == null ? last : Math.max(last, before));
        calls.updateOne(Filters.eq("_id", id), CallEvents.sent(last));
    }

    /** Calls whose events have waited longer than they should: none while no tenant has a webhook or a campaign runs. */
    public List<Document> leftBehind() {
        if (webhooks.find(Filters.exists("endpoints.0")).first() == null && campaignRuns.find().first() == null) {
            return List.of();
        }
        Date before = Date.from(clock.instant().minus(leftFor));
        return calls.find(Filters.lt(CallEvents.OUTBOX + ".at", before)).limit(BATCH).into(new ArrayList<>());
    }

    static Map<String, Object> event(Document call, Document entry) {
        ObjectId id = call.getObjectId("_id");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("tenantId", call.getString("userId"));
        data.put("callId", id.toHexString());
        data.put("sequence", entry.getInteger("seq"));
        data.put("status", entry.getString("status"));
        data.put("provider", call.getString("provider"));
        data.put("agentId", call.getString("agentId"));
        data.put("leadId", call.getString("leadId"));
        String key = call.getString("idempotencyKey");
        if (key != null && !key.startsWith("auto-")) {
            data.put("requestId", key);
        }
        for (String field : List.of("campaignId", "campaignLead", "campaignAttempt")) {
            if (call.get(field) != null) {
                data.put(field, call.get(field));
            }
        }
        if (call.getObjectId("firstCallId") != null) {
            data.put("firstCallId", call.getObjectId("firstCallId").toHexString());
        }
        entry.forEach((field, value) -> {
            if (!List.of("seq", "type", "at", "status").contains(field)) {
                data.put(field, value instanceof Date date ? date.toInstant().toString() : value);
            }
        });
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "evt_" + id.toHexString() + "_" + entry.getInteger("seq"));
        event.put("type", entry.getString("type"));
        event.put("timestamp", entry.getDate("at").toInstant().toString());
        event.put("data", data);
        return event;
    }
}

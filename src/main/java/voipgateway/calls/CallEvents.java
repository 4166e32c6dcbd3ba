package voipgateway.calls;

import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.model.Updates;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The events a call's status changes make for its tenant's webhooks. An event is written in the same write as the
 * change it reports, into the call's {@code outbox} (each entry: {@code seq}, the call's own event sequence,
 * {@code type}, {@code at}, and what the status carried), so a change is never stored without its event nor an event
 * sent for a change that was not stored. Once written, the call is handed to the relay, which puts the events on
 * the broker and then removes them from the outbox; an outbox left behind (a crash, the broker down) is found and
 * sent again. Only a tenant with a webhook for the event's type pays for this, and a campaign's calls (their events
 * move the campaign on).
 */
public final class CallEvents {

    public static final String OUTBOX = "outbox";
    public static final String SEQUENCE = "eventSequence";
    /** A campaign's call ({@code campaignId}, {@code campaignLead}, {@code campaignAttempt}): its events always go out. */
    public static final String CAMPAIGN = "campaignId";
    /** The reason of a call never dialled because its provider account was at its pacing limit. */
    public static final String PACING = "pacing";
    /** What a status change carries into its event, when the change sets it. */
    private static final List<String> CARRIED = List.of("reason", "durationSeconds", "endReason", "answeredAt",
            "endedAt", "scheduledFor", "attempt", "outcome", "cause", "permanent", "machineVerdict", "recording");
    /** The event a report on a call makes (a field it sets, no status change), by the field. */
    private static final Map<String, String> REPORTS = Map.of("machineVerdict", "call.machine_detected",
            "recordingUrl", "call.recording_available");

    /** No tenant has webhooks: calls are written as they always were. */
    public static final CallEvents NONE = new CallEvents((tenant, type) -> false, call -> {
    });

    private final BiPredicate<String, String> wanted;
    private final Consumer<Document> relay;

    /**
     * {@code wanted}: whether a tenant has a webhook for an event type (null: for any); {@code relay}: takes a written
     * call's outbox.
     */
    public CallEvents(BiPredicate<String, String> wanted, Consumer<Document> relay) {
        this.wanted = wanted;
        this.relay = relay;
    }

    /** The event type a call reaching this status makes; null for the service's own steps (dialing, pending). */
    public static String type(String status, String reason) {
        if (status == null) {
            return null;
        }
        return switch (status) {
            case CallLifecycle.PENDING, CallLifecycle.DIALING -> null;
            case CallLifecycle.SCHEDULED -> reason != null && reason.startsWith("retry_") ? "call.retry_scheduled"
                    : "call.scheduled";
            // refused at the pacing limit: stored failed (the API's 429), told as the refusal it is
            case CallLifecycle.FAILED -> PACING.equals(reason) ? "call.refused" : "call.failed";
            default -> "call." + status.replace('-', '_');
        };
    }

    /** The update with the event of the status it sets added, or as it is when it makes none this tenant wants. */
    Bson withEvent(Document call, Bson update) {
        boolean campaign = call.get(CAMPAIGN) != null;
        if (call.getString("userId") == null || !campaign && !wanted.test(call.getString("userId"), null)) {
            // most writes: a tenant without webhooks, whose update is not even looked at
            return update;
        }
        BsonDocument set = update.toBsonDocument(Document.class, MongoClientSettings.getDefaultCodecRegistry())
                .getDocument("$set", new BsonDocument());
        Document changed = new Document();
        set.forEach((field, value) -> {
            if (CARRIED.contains(field)) {
                changed.append(field, value);
            }
        });
        if (set.containsKey("recordingUrl")) {
            // that there is one, never where: GET /calls/{id}/recording passes it on
            changed.append("recording", true);
        }
        BsonValue status = set.get("status");
        String type;
        if (status != null && status.isString() && !status.asString().getValue().equals(call.getString("status"))) {
            type = type(status.asString().getValue(), changed.get("reason") instanceof BsonString reason
                    ? reason.getValue() : null);
        } else {
            // no status change: a report, if it sets what one reports
            type = REPORTS.entrySet().stream().filter(report -> set.containsKey(report.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            status = new BsonString(call.getString("status"));
        }
        Document entry = event(call.getString("userId"), campaign, call.getInteger(SEQUENCE, 0), type,
                status.asString().getValue(), changed);
        return entry == null ? update : Updates.combine(update, Updates.push(OUTBOX, entry),
                Updates.set(SEQUENCE, entry.getInteger("seq")));
    }

    /** A call written whole (a new entry, a retry) with the event of its first status, if it makes one. */
    public Document withEvent(String tenant, Document call) {
        Document entry = event(tenant, call.get(CAMPAIGN) != null, 0, type(call.getString("status"),
                call.get("reason") instanceof String reason ? reason : null), call.getString("status"), call);
        if (entry != null) {
            call.append(OUTBOX, List.of(entry)).append(SEQUENCE, 1);
        }
        return call;
    }

    private Document event(String tenant, boolean campaign, int sequence, String type, String status,
            Document carrier) {
        if (type == null || tenant == null || !campaign && !wanted.test(tenant, type)) {
            return null;
        }
        Document entry = new Document("seq", sequence + 1).append("type", type).append("at", new Date())
                .append("status", status);
        for (String field : CARRIED) {
            if (carrier.get(field) != null) {
                entry.append(field, carrier.get(field));
            }
        }
        return entry;
    }

    /** The last event waiting in a document's outbox (0: none). */
    public static int lastWaiting(Document withOutbox) {
        return withOutbox.getList(OUTBOX, Document.class, List.of()).stream().mapToInt(entry -> entry.getInteger("seq"))
                .max().orElse(0);
    }

    /** The update that takes the events up to {@code last} out of an outbox (those written since stay). */
    public static Bson sent(int last) {
        return Updates.pull(OUTBOX, new Document("seq", new Document("$lte", last)));
    }

    /** After a write: a call with events waiting goes to the relay. */
    public void written(Document call) {
        if (call != null && call.get(OUTBOX) instanceof List<?> outbox && !outbox.isEmpty()) {
            relay.accept(call);
        }
    }
}

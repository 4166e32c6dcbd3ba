package voipgateway.calls;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.component.mongodb.MongoDbConstants;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.api.Ids;
import voipgateway.providers.Dids;
import voipgateway.providers.ProviderAccount;
import voipgateway.storage.Collections;
import voipgateway.storage.MongoRequests;

/**
 * Calls in {@code calls}: how a call is asked for, recorded when the provider took it, listed and shown.
 * The ledger ({@link DialLedger}) writes the call before the provider is asked, so its own id can travel as
 * {@code record_id} and no dial happens without a record.
 */
public class CallStore {

    private static final int MAX_PAGE_SIZE = 200;

    private final String voiceUrl;
    private final String statusCallbackUrl;
    private final CallbackTokens tokens;

    /** {@code voiceUrl}: the AI platform's voice webhook for every agent without one of its own; empty = none. */
    public CallStore(String voiceUrl, String statusCallbackUrl, CallbackTokens tokens) {
        this.voiceUrl = voiceUrl;
        this.statusCallbackUrl = statusCallbackUrl;
        this.tokens = tokens;
    }

    /**
     * What SansPBX is asked to dial for this call: its own id travels as record_id and in the status callback URL;
     * the voice webhook is the agent's own (kept on its DID when assigned), else the service's, else none.
     */
    public DialRequest dialRequest(@ExchangeProperty("callId") ObjectId callId,
            @ExchangeProperty("request") OutboundCallRequest request, @ExchangeProperty("number") Document number,
            @ExchangeProperty("account") ProviderAccount account) {
        String id = callId.toHexString();
        String did = number.getString("phoneNumber");
        String voice = number.getString("assignedVoiceUrl") != null ? number.getString("assignedVoiceUrl") : voiceUrl;
        return new DialRequest(request.callTo(), Dids.callerId(did), did, id, voice.isEmpty() ? null : voice,
                tokens.urlFor(statusCallbackUrl.replace("{provider}", account.adapter()), account.provider(), id),
                ProviderFeatures.DETECT.equals(request.machineDetection()), request.record());
    }

    /** {@code GET /calls?agentId=&status=&from=&to=&page=&limit=}: newest first. */
    public void queryList(@Header("agentId") String agentId, @Header("status") String status,
            @Header("from") String from, @Header("to") String to, @Header("page") String page,
            @Header("limit") String limit, @ExchangeProperty("tenantId") String tenant, Message message) {
        List<Bson> filters = new ArrayList<>();
        filters.add(Filters.eq("userId", tenant));
        if (agentId != null) {
            if (!Ids.isValid(agentId)) {
                throw ApiException.badRequest("agentId", "agentId must be 1-64 letters, digits, '-' or '_'");
            }
            filters.add(Filters.eq("agentId", agentId));
        }
        if (status != null) {
            if (!CallLifecycle.STATUSES.contains(status)) {
                throw ApiException.badRequest("status", "status must be one of " + new TreeSet<>(CallLifecycle.STATUSES));
            }
            filters.add(Filters.eq("status", status));
        }
        if (from != null) {
            filters.add(Filters.gte("createdAt", instant(from, "from")));
        }
        if (to != null) {
            filters.add(Filters.lt("createdAt", instant(to, "to")));
        }
        int pageNumber = whole(page, "page", 1, 1, 1_000_000);
        int pageSize = whole(limit, "limit", 50, 1, MAX_PAGE_SIZE);
        MongoRequests.query(message, Filters.and(filters));
        message.setHeader(MongoDbConstants.SORT_BY, new Document("createdAt", -1).append("_id", -1));
        message.setHeader(MongoDbConstants.NUM_TO_SKIP, (pageNumber - 1) * pageSize);
        // one more than asked for tells whether another page follows
        message.setHeader(MongoDbConstants.LIMIT, pageSize + 1);
        message.setHeader("pageNumber", pageNumber);
        message.setHeader("pageSize", pageSize);
    }

    public Map<String, Object> page(List<Document> calls, @Header("pageNumber") int pageNumber,
            @Header("pageSize") int pageSize) {
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", calls.stream().limit(pageSize).map(CallStore::view).toList());
        page.put("page", pageNumber);
        page.put("limit", pageSize);
        page.put("hasMore", calls.size() > pageSize);
        return page;
    }

    private static Date instant(String value, String field) {
        try {
            return Date.from(Instant.parse(value));
        } catch (Exception e) {
            throw ApiException.badRequest(field, field + " must be an ISO-8601 instant, e.g. 2026-01-31T00:00:00Z");
        }
    }

    private static int whole(String value, String field, int otherwise, int min, int max) {
        if (value == null) {
            return otherwise;
        }
        if (!value.matches("[0-9]{1,7}") || Integer.parseInt(value) < min || Integer.parseInt(value) > max) {
            throw ApiException.badRequest(field, field + " must be a whole number from " + min + " to " + max);
        }
        return Integer.parseInt(value);
    }

    /** By {@code _id} alone (an index everywhere); the tenant is checked on the document read. */
    public void queryById(@Header("id") String id, Message message) {
        MongoRequests.query(message, Filters.eq("_id", Ids.objectId(id, "id", "call")));
    }

    /** Another tenant's call does not exist for this one. */
    public Map<String, Object> found(@Header("id") String id, @ExchangeProperty("tenantId") String tenant,
            Document call) {
        return view(requireMine(call, id, tenant));
    }

    /** The call read by {@code id}, if it is this tenant's: else 404, as if it did not exist. */
    static Document requireMine(Document call, String id, String tenant) {
        if (call == null || !tenant.equals(call.getString("userId"))) {
            throw ApiException.notFound("id", "call '" + Ids.safe(id) + "' does not exist");
        }
        return call;
    }

    public static Map<String, Object> view(Document call) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", call.getObjectId("_id").toHexString());
        for (String field : new String[] {"agentId", "leadId", "toPhone", "did", "provider", "providerCallId",
                "status", "reason", "failureReason", "endReason", "outcome", "purpose", "calleeTimeZone",
                "firstCallId", "retryOf", ProviderFeatures.MACHINE_DETECTION, "machineVerdict", "answeredBy"}) {
            if (call.get(field) != null) {
                view.put(field, call.get(field).toString());
            }
        }
        view.put("providerId", call.getObjectId("providerId").toHexString());
        for (String field : new String[] {"durationSeconds", "billSeconds", "attempt", "permanent",
                "machineDetectionMs"}) {
            if (call.get(field) != null) {
                view.put(field, call.get(field));
            }
        }
        for (String field : new String[] {"createdAt", "scheduledFor", "initiatedAt", "answeredAt", "endedAt",
                Hangups.REQUESTED, "updatedAt"}) {
            if (call.getDate(field) != null) {
                view.put(field, call.getDate(field).toInstant().toString());
            }
        }
        if (call.get("cause") instanceof Document cause) {
            view.put("cause", cause);
        }
        if (call.get("priceMicros") instanceof Number micros) {
            view.put("price", Map.of("amount", BigDecimal.valueOf(micros.longValue(), 6).stripTrailingZeros()
                    .toPlainString(), "currency", call.getString("priceCurrency")));
        }
        if (call.get("recordingUrl") != null) {
            // that there is one, and where we pass it on; never where the provider keeps it
            Map<String, Object> recording = new LinkedHashMap<>();
            recording.put("url", "/calls/" + view.get("id") + "/recording");
            if (call.get("recordingSeconds") != null) {
                recording.put("durationSeconds", call.get("recordingSeconds"));
            }
            view.put("recording", recording);
        }
        List<Map<String, Object>> history = new ArrayList<>();
        for (Document entry : call.getList("statusHistory", Document.class, List.of())) {
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put(entry.containsKey("report") ? "report" : "status",
                    entry.containsKey("report") ? entry.getString("report") : entry.getString("status"));
            shown.put("provider", entry.getString("provider"));
            shown.put("occurredAt", entry.getDate("occurredAt") == null ? null
                    : entry.getDate("occurredAt").toInstant().toString());
            shown.put("receivedAt", entry.getDate("receivedAt").toInstant().toString());
            shown.put("payload", entry.get("payload"));
            history.add(shown);
        }
        view.put("statusHistory", history);
        return view;
    }

    /**
     * Listing a tenant's calls newest first, by agent or not (a real MongoDB uses these; the embedded one scans); the
     * dial ledger's key (one call per idempotency key and tenant); the compare-and-set on the version
     * ({@link CallVersions}). Indexes of earlier versions go: each unique index costs every write a lookup on the
     * embedded server.
     */
    public static void createIndexes(MongoDatabase db) {
        MongoCollection<Document> calls = db.getCollection(Collections.CALLS);
        calls.createIndex(Indexes.compoundIndex(Indexes.ascending("userId"), Indexes.descending("createdAt", "_id")));
        calls.createIndex(Indexes.compoundIndex(Indexes.ascending("userId", "agentId"),
                Indexes.descending("createdAt", "_id")));
        calls.createIndex(Indexes.ascending("userId", "idempotencyKey"), new IndexOptions().unique(true));
        calls.createIndex(Indexes.ascending("_id", CallVersions.VERSION), new IndexOptions().unique(true));
        for (String obsolete : new String[] {"_id_1_claim_1", "_id_1_statusRank_1", "providerCallId_1",
                "agentId_-1_createdAt_-1"}) {
            Collections.dropIfPresent(calls, obsolete);
        }
    }
}

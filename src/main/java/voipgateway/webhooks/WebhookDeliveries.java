package voipgateway.webhooks;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import voipgateway.api.ApiException;
import voipgateway.api.Json;
import voipgateway.crypto.Sha256;

/**
 * An event's deliveries: one per endpoint of its tenant that takes its type, in {@code webhook_deliveries}, its
 * {@code _id} made from the event's and the endpoint's ids (an event the broker hands over twice makes no second
 * delivery), holding the body exactly as signed and what each attempt met. {@code GET /webhooks/{id}/deliveries}
 * lists them; {@code POST .../deliveries/{deliveryId}/retry} sends one again.
 */
public class WebhookDeliveries {

    static final String COLLECTION = "webhook_deliveries";
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
    private static final Set<String> STATUSES = Set.of(PENDING, DELIVERED, FAILED);
    private static final int MAX_PAGE = 100;
    private static final FindOneAndUpdateOptions UPSERT = new FindOneAndUpdateOptions().upsert(true)
            .returnDocument(ReturnDocument.AFTER);

    private final MongoCollection<Document> deliveries;
    private final Webhooks webhooks;
    private final Clock clock;

    public WebhookDeliveries(MongoDatabase db, Webhooks webhooks, Clock clock) {
        this.deliveries = db.getCollection(COLLECTION);
        this.webhooks = webhooks;
        this.clock = clock;
    }

    /** For a real MongoDB: an endpoint's deliveries by status, newest first (the embedded server ignores it). */
    public static void createIndexes(MongoDatabase db) {
        db.getCollection(COLLECTION).createIndex(Indexes.ascending("webhookId", "status", "createdAt"));
    }

    /**
     * An event from the bus ({@code {id, type, timestamp, data: {tenantId, ...}}}): its deliveries, made once, and
     * the ids of those still to be sent.
     */
    public List<String> fanOut(@Body String event) throws JsonProcessingException {
        JsonNode parsed = Json.MAPPER.readTree(event);
        String eventId = parsed.path("id").asText();
        String type = parsed.path("type").asText();
        String tenant = parsed.path("data").path("tenantId").asText();
        ObjectNode payload = ((ObjectNode) parsed.deepCopy());
        payload.remove("id");
        String body = Json.MAPPER.writeValueAsString(payload);
        List<String> toSend = new ArrayList<>();
        Date now = Date.from(clock.instant());
        for (Webhook webhook : webhooks.of(tenant)) {
            if (!webhook.wants(type)) {
                continue;
            }
            String id = "dlv_" + Sha256.hex(eventId + "|" + webhook.id()).substring(0, 24);
            Document delivery = deliveries.findOneAndUpdate(Filters.eq("_id", id), Updates.combine(
                    Updates.setOnInsert("userId", tenant), Updates.setOnInsert("webhookId", webhook.id()),
                    Updates.setOnInsert("eventId", eventId), Updates.setOnInsert("type", type),
                    Updates.setOnInsert("callId", text(parsed.path("data").path("callId"))),
                    Updates.setOnInsert("sequence", parsed.path("data").path("sequence").asInt()),
                    Updates.setOnInsert("payload", body), Updates.setOnInsert("status", PENDING),
                    Updates.setOnInsert("attempts", 0), Updates.setOnInsert("createdAt", now)), UPSERT);
            // never tried yet: new, or made before a crash that left it unsent (a retry has its own message)
            if (PENDING.equals(delivery.getString("status")) && delivery.getInteger("attempts", 0) == 0
                    && delivery.get("nextAttemptAt") == null) {
                toSend.add(id);
            }
        }
        return toSend;
    }

    /** {@code GET /webhooks/{id}/deliveries?status=&limit=}: newest first. */
    public Map<String, Object> list(@Header("id") String id, @Header("status") String status,
            @Header("limit") String limit, @ExchangeProperty("tenantId") String tenant, Message message) {
        requireWebhook(tenant, id);
        List<Bson> filters = new ArrayList<>(List.of(Filters.eq("webhookId", id), Filters.eq("userId", tenant)));
        if (status != null) {
            if (!STATUSES.contains(status)) {
                throw ApiException.badRequest("status", "status must be one of " + new java.util.TreeSet<>(STATUSES));
            }
            filters.add(Filters.eq("status", status));
        }
        int size = 50;
        if (limit != null) {
            if (!limit.matches("[0-9]{1,3}") || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > MAX_PAGE) {
                throw ApiException.badRequest("limit", "limit must be a whole number from 1 to " + MAX_PAGE);
            }
            size = Integer.parseInt(limit);
        }
        List<Map<String, Object>> items = new ArrayList<>();
        deliveries.find(Filters.and(filters)).sort(Sorts.descending("createdAt")).limit(size)
                .forEach(delivery -> items.add(view(delivery)));
        message.removeHeaders("*");
        return Map.of("deliveries", items);
    }

    /**
     * {@code POST /webhooks/{id}/deliveries/{deliveryId}/retry}: a failed (or still pending) delivery is pending again,
     * its retries counted afresh from now; answers its id for the deliveries queue.
     */
    public String retry(@Header("id") String id, @Header("deliveryId") String deliveryId,
            @ExchangeProperty("tenantId") String tenant, Exchange exchange) {
        Webhook webhook = requireWebhook(tenant, id);
        if (!webhook.enabled()) {
            throw ApiException.conflict("id", "the webhook is disabled: enable it first (PATCH {\"enabled\": true})");
        }
        Document delivery = deliveries.find(Filters.eq("_id", deliveryId)).first();
        if (delivery == null || !tenant.equals(delivery.getString("userId")) || !id.equals(delivery.getString("webhookId"))) {
            throw ApiException.notFound("deliveryId", "no such delivery for this webhook");
        }
        if (DELIVERED.equals(delivery.getString("status"))) {
            throw ApiException.conflict("deliveryId", "this delivery was delivered");
        }
        deliveries.updateOne(Filters.eq("_id", deliveryId), Updates.combine(Updates.set("status", PENDING),
                Updates.set("retryFrom", Date.from(clock.instant())), Updates.unset("failure"),
                Updates.unset("nextAttemptAt"),
                Updates.unset("finishedAt")));
        exchange.setProperty("answer", Map.of("id", deliveryId, "status", PENDING));
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return deliveryId;
    }

    private Webhook requireWebhook(String tenant, String id) {
        Webhook webhook = webhooks.find(tenant, id);
        if (webhook == null) {
            throw ApiException.notFound("id", "no such webhook");
        }
        return webhook;
    }

    static Map<String, Object> view(Document delivery) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", delivery.getString("_id"));
        view.put("eventId", delivery.getString("eventId"));
        view.put("type", delivery.getString("type"));
        view.put("callId", delivery.getString("callId"));
        view.put("sequence", delivery.getInteger("sequence"));
        view.put("status", delivery.getString("status"));
        view.put("attempts", delivery.getInteger("attempts", 0));
        if (delivery.getString("failure") != null) {
            view.put("failure", delivery.getString("failure"));
        }
        if (delivery.getDate("nextAttemptAt") != null) {
            view.put("nextAttemptAt", delivery.getDate("nextAttemptAt").toInstant().toString());
        }
        Document last = delivery.get("lastAttempt", Document.class);
        if (last != null) {
            Map<String, Object> attempt = new LinkedHashMap<>();
            attempt.put("at", last.getDate("at").toInstant().toString());
            attempt.put("statusCode", last.getInteger("statusCode"));
            attempt.put("error", last.getString("error"));
            attempt.put("latencyMs", last.get("latencyMs"));
            attempt.put("answer", last.getString("answer"));
            view.put("lastAttempt", attempt);
        }
        view.put("createdAt", delivery.getDate("createdAt").toInstant().toString());
        return view;
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }
}

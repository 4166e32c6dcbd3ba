package voipgateway.campaigns;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
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
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.api.Ids;
import voipgateway.api.Json;
import voipgateway.api.JsonRequest;
import voipgateway.calls.CallEvents;
import voipgateway.calls.OutboundCallRequest;
import voipgateway.compliance.CallingRules;
import voipgateway.storage.MongoRequests;

/**
 * Campaigns: a tenant's list of leads dialled for one agent under the calling rules, its own concurrency cap and
 * retries. A campaign is {@code draft} (leads may be added), {@code running}, {@code paused}, {@code completed}
 * (every lead has its final outcome) or {@code canceled}; each change of state is a compare-and-set on
 * {@code {_id, version}} that writes its event ({@code campaign.started}, ...) into the campaign's outbox in the same
 * write, relayed to webhooks and the bus. Exchange properties: reads {@code tenantId}; sets {@code campaign}.
 */
public class Campaigns {

    static final String COLLECTION = "campaigns";
    static final String RUNS = "campaign_runs";
    public static final String DRAFT = "draft";
    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String COMPLETED = "completed";
    public static final String CANCELED = "canceled";
    private static final Set<String> STATUSES = Set.of(DRAFT, RUNNING, PAUSED, COMPLETED, CANCELED);
    private static final Set<String> FIELDS = Set.of("name", "agentId", "purpose", "leads", "startAt",
            "maxConcurrentCalls", "retry");
    private static final Set<String> RETRY_FIELDS = Set.of("on", "maxAttempts", "delaySeconds");
    static final List<String> OUTCOMES = List.of("completed", "machine", "busy", "no-answer", "failed", "canceled",
            "refused", "unknown");
    private static final FindOneAndUpdateOptions AFTER = new FindOneAndUpdateOptions()
            .returnDocument(ReturnDocument.AFTER);

    private final MongoDatabase db;
    private final MongoCollection<Document> campaigns;
    private final MongoCollection<Document> runs;
    private final CampaignLeads leads;
    private final Clock clock;
    private final int maxConcurrent;

    public Campaigns(MongoDatabase db, CampaignLeads leads, Clock clock, int maxConcurrent) {
        this.db = db;
        this.campaigns = db.getCollection(COLLECTION);
        this.runs = db.getCollection(RUNS);
        this.leads = leads;
        this.clock = clock;
        this.maxConcurrent = maxConcurrent;
    }

    public static void createIndexes(MongoDatabase db) {
        MongoCollection<Document> campaigns = db.getCollection(COLLECTION);
        campaigns.createIndex(Indexes.ascending("_id", "version"), new IndexOptions().unique(true));
        // GET /campaigns?status= on a real MongoDB (the embedded server scans the tenants' campaigns)
        campaigns.createIndex(Indexes.ascending("userId", "status", "createdAt"));
    }

    /**
     * {@code POST /campaigns}: JSON {@code {name, agentId, purpose?, leads?, startAt?, maxConcurrentCalls?,
     * retry?}}, or CSV ({@code text/csv}, the campaign's fields as query parameters): a draft with the leads that
     * passed, 201.
     */
    public Map<String, Object> create(@Body InputStream body, @Header(Exchange.CONTENT_TYPE) String contentType,
            @ExchangeProperty("tenantId") String tenant, Message message) throws Exception {
        boolean csv = isCsv(contentType);
        JsonRequest fields;
        if (csv) {
            Map<String, Object> query = new LinkedHashMap<>();
            for (String name : FIELDS) {
                if (message.getHeader(name) != null && !name.equals("leads") && !name.equals("retry")) {
                    query.put(name, message.getHeader(name, String.class));
                }
            }
            fields = JsonRequest.parse(Json.MAPPER.writeValueAsString(query), "application/json", FIELDS);
        } else {
            fields = JsonRequest.parse(new String(body.readAllBytes(), StandardCharsets.UTF_8), contentType, FIELDS);
        }
        Document campaign = campaign(fields, tenant);
        // the rows' shape checked before anything is stored: a refused upload leaves no campaign behind
        JsonNode given = csv ? null : fields.node("leads");
        Iterator<CampaignLeads.Row> rows = csv ? CampaignLeads.fromCsv(body)
                : given == null ? java.util.Collections.emptyIterator() : CampaignLeads.fromJson(given);
        campaigns.insertOne(campaign);
        String id = campaign.getString("_id");
        leads.prepare(id);
        CampaignLeads.Imported imported = leads.add(id, tenant, rows);
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        Map<String, Object> answer = view(campaigns.find(Filters.eq("_id", id)).first());
        answer.put("imported", imported(imported));
        return answer;
    }

    /** {@code POST /campaigns/{id}/leads}: more leads for a draft (CSV or JSON {@code {leads}}). */
    public Map<String, Object> addLeads(@Header("id") String id, @Body InputStream body,
            @Header(Exchange.CONTENT_TYPE) String contentType, @ExchangeProperty("tenantId") String tenant,
            Message message) throws Exception {
        Document campaign = require(id, tenant);
        if (!DRAFT.equals(campaign.getString("status"))) {
            throw ApiException.conflict("id", "leads are added while the campaign is a draft; it is "
                    + campaign.getString("status"));
        }
        Iterator<CampaignLeads.Row> rows;
        if (isCsv(contentType)) {
            rows = CampaignLeads.fromCsv(body);
        } else {
            JsonRequest json = JsonRequest.parse(new String(body.readAllBytes(), StandardCharsets.UTF_8), contentType,
                    Set.of("leads"));
            JsonNode given = json.node("leads");
            if (given == null) {
                throw ApiException.badRequest("leads", "leads is required");
            }
            rows = CampaignLeads.fromJson(given);
        }
        CampaignLeads.Imported imported = leads.add(id, tenant, rows);
        message.removeHeaders("*");
        Map<String, Object> answer = view(campaigns.find(Filters.eq("_id", id)).first());
        answer.put("imported", imported(imported));
        return answer;
    }

    /** {@code GET /campaigns/{id}}. */
    public Map<String, Object> get(@Header("id") String id, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        Document campaign = require(id, tenant);
        message.removeHeaders("*");
        return view(campaign);
    }

    /** {@code GET /campaigns?status=}: the newest hundred. */
    public Map<String, Object> list(@Header("status") String status, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        List<Bson> filters = new ArrayList<>(List.of(Filters.eq("userId", tenant)));
        if (status != null) {
            if (!STATUSES.contains(status)) {
                throw ApiException.badRequest("status", "status must be one of " + new java.util.TreeSet<>(STATUSES));
            }
            filters.add(Filters.eq("status", status));
        }
        List<Map<String, Object>> items = new ArrayList<>();
        campaigns.find(Filters.and(filters)).sort(Sorts.descending("createdAt")).limit(100)
                .forEach(campaign -> items.add(view(campaign)));
        message.removeHeaders("*");
        return Map.of("campaigns", items);
    }

    /**
     * {@code POST /campaigns/{id}/start|pause|resume|cancel}: the campaign as changed (property {@code campaign}, its
     * event in its outbox); 409 when the campaign is not in a state the action applies to. A start takes the
     * tenant's retries (property {@code rules}) unless the campaign has its own.
     */
    public Map<String, Object> act(@Header("id") String id, @ExchangeProperty("tenantId") String tenant,
            @ExchangeProperty("rules") CallingRules rules, Exchange exchange) {
        Document current = require(id, tenant);
        Message message = exchange.getMessage();
        String path = message.getHeader(Exchange.HTTP_PATH, message.getHeader(Exchange.HTTP_URI, ""), String.class);
        String action = path.replaceAll("[?].*$", "").substring(path.replaceAll("[?].*$", "").lastIndexOf('/') + 1);
        Document changed = switch (action) {
            case "start" -> transition(id, Set.of(DRAFT), RUNNING, "campaign.started", startUpdates(current, rules));
            case "pause" -> transition(id, Set.of(RUNNING), PAUSED, "campaign.paused", List.of(Updates.unset(
                    "runningSince")), true);
            case "resume" -> transition(id, Set.of(PAUSED), RUNNING, "campaign.started", List.of(Updates.set(
                    "runningSince", Date.from(clock.instant()))), false);
            case "cancel" -> transition(id, Set.of(DRAFT, RUNNING, PAUSED), CANCELED, "campaign.canceled",
                    List.of(Updates.set("completedAt", Date.from(clock.instant())), Updates.unset("runningSince")),
                    true);
            default -> throw ApiException.notFound("action", "no such action: start, pause, resume or cancel");
        };
        if (RUNNING.equals(changed.getString("status"))) {
            runs.replaceOne(Filters.eq("_id", id), new Document("_id", id),
                    new com.mongodb.client.model.ReplaceOptions().upsert(true));
        }
        exchange.setProperty("campaign", changed);
        exchange.getMessage().removeHeaders("*");
        return view(changed);
    }

    /** Every lead has its final outcome: completed, its counts recounted from the leads (property {@code campaign}). */
    public void complete(@ExchangeProperty("campaign") Document campaign, Exchange exchange) {
        List<Bson> updates = new ArrayList<>(leads.recount(campaign.getString("_id")));
        updates.add(Updates.set("completedAt", Date.from(clock.instant())));
        updates.add(Updates.unset("runningSince"));
        exchange.setProperty("campaign", transition(campaign.getString("_id"), Set.of(RUNNING), COMPLETED,
                "campaign.completed", updates, true));
    }

    private Document transition(String id, Set<String> from, String to, String event, List<Bson> updates) {
        return transition(id, from, to, event, updates, false);
    }

    /** A change of state, with its event in the campaign's outbox (in the same write); 409 from another state. */
    Document transition(String id, Set<String> from, String to, String event, List<Bson> updates, boolean keepTime) {
        while (true) {
            Document campaign = campaigns.find(Filters.eq("_id", id)).first();
            String status = campaign.getString("status");
            if (!from.contains(status)) {
                throw ApiException.conflict("id", "the campaign is " + status);
            }
            Instant now = clock.instant();
            List<Bson> all = new ArrayList<>(updates);
            if (keepTime && campaign.getDate("runningSince") != null) {
                all.add(Updates.inc("runMillis", Duration.between(campaign.getDate("runningSince").toInstant(), now)
                        .toMillis()));
            }
            int sequence = campaign.getInteger("eventSequence", 0) + 1;
            all.add(Updates.set("status", to));
            all.add(Updates.set("eventSequence", sequence));
            all.add(Updates.push(CallEvents.OUTBOX, new Document("seq", sequence).append("type", event)
                    .append("at", Date.from(now)).append("status", to)));
            all.add(Updates.inc("version", 1));
            Document after = campaigns.findOneAndUpdate(MongoRequests.match("_id", id, "version",
                    campaign.getInteger("version")), Updates.combine(all), AFTER);
            if (after != null) {
                return after;
            }
        }
    }

    private List<Bson> startUpdates(Document campaign, CallingRules rules) {
        List<Bson> updates = new ArrayList<>(List.of(Updates.set("startedAt", Date.from(clock.instant())),
                Updates.set("runningSince", Date.from(clock.instant()))));
        if (campaign.get("retry") == null && rules != null) {
            CallingRules.Retries retries = rules.retries();
            updates.add(Updates.set("retry", new Document("on", retries.on())
                    .append("maxAttempts", retries.maxAttemptsPerDay()).append("delaySeconds", retries.delaySeconds())
                    .append("from", "tenant")));
        }
        return updates;
    }

    /** The campaign's events waiting in its outbox, as bus messages. */
    public List<String> events(@ExchangeProperty("campaign") Document campaign) throws JsonProcessingException {
        List<String> messages = new ArrayList<>();
        for (Document entry : campaign.getList(CallEvents.OUTBOX, Document.class, List.of())) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("tenantId", campaign.getString("userId"));
            data.put("campaignId", campaign.getString("_id"));
            data.put("sequence", entry.getInteger("seq"));
            data.put("status", entry.getString("status"));
            data.put("name", campaign.getString("name"));
            data.put("counts", counts(campaign));
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("id", "evt_" + campaign.getString("_id") + "_" + entry.getInteger("seq"));
            event.put("type", entry.getString("type"));
            event.put("timestamp", entry.getDate("at").toInstant().toString());
            event.put("data", data);
            messages.add(Json.MAPPER.writeValueAsString(event));
        }
        return messages;
    }

    /** The events sent are no longer waiting. */
    public void sent(@ExchangeProperty("campaign") Document campaign) {
        campaigns.updateOne(Filters.eq("_id", campaign.getString("_id")),
                CallEvents.sent(CallEvents.lastWaiting(campaign)));
    }

    /** {@code GET /campaigns/{id}/results.csv}: one line per lead, in the campaign's order. */
    public String results(@Header("id") String id, @ExchangeProperty("tenantId") String tenant, Message message) {
        require(id, tenant);
        StringBuilder csv = new StringBuilder("leadId,toPhone,state,outcome,attempts,callId\n");
        for (Document lead : CampaignLeads.of(db, id).find().sort(Sorts.ascending("_id")).batchSize(CampaignLeads.BATCH)) {
            csv.append(lead.getString("leadId")).append(',').append(lead.getString("toPhone")).append(',')
                    .append(lead.getString("state")).append(',')
                    .append(lead.getString("outcome") == null ? "" : lead.getString("outcome")).append(',')
                    .append(lead.getInteger("attempts", 0)).append(',')
                    .append(lead.getString("callId") == null ? "" : lead.getString("callId")).append('\n');
        }
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
        return csv.toString();
    }

    Document require(String id, String tenant) {
        Document campaign = id == null || !Ids.isValid(id) ? null : campaigns.find(Filters.eq("_id", id)).first();
        if (campaign == null || !tenant.equals(campaign.getString("userId"))) {
            throw ApiException.notFound("id", "no such campaign");
        }
        return campaign;
    }

    private Document campaign(JsonRequest fields, String tenant) {
        String name = fields.text("name").trim();
        if (name.length() > 100) {
            throw ApiException.badRequest("name", "name is longer than 100 characters");
        }
        String purpose = fields.has("purpose") ? fields.text("purpose").trim() : "promotional";
        if (!OutboundCallRequest.PURPOSES.contains(purpose)) {
            throw ApiException.badRequest("purpose", "purpose must be one of " + OutboundCallRequest.PURPOSES);
        }
        Date now = Date.from(clock.instant());
        Document campaign = new Document("_id", "cmp_" + new ObjectId().toHexString()).append("userId", tenant)
                .append("name", name).append("agentId", fields.id("agentId")).append("purpose", purpose)
                .append("status", DRAFT)
                .append("maxConcurrentCalls", fields.has("maxConcurrentCalls")
                        ? (int) fields.count("maxConcurrentCalls", maxConcurrent) : Math.min(10, maxConcurrent))
                .append("leadCount", 0).append("nextLead", 1).append("inFlight", List.of()).append("waiting", 0)
                .append("attempts", 0).append("outcomes", new Document()).append("runMillis", 0L)
                .append("createdAt", now).append("version", 1);
        if (campaign.getInteger("maxConcurrentCalls") < 1) {
            throw ApiException.badRequest("maxConcurrentCalls", "maxConcurrentCalls must be from 1 to " + maxConcurrent);
        }
        String startAt = fields.optionalText("startAt");
        if (startAt != null) {
            try {
                campaign.append("startAt", Date.from(Instant.parse(startAt.trim())));
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("startAt", "startAt must be an ISO-8601 instant (2026-12-06T09:00:00Z)");
            }
        }
        JsonNode retry = fields.node("retry");
        if (retry != null && !retry.isNull()) {
            campaign.append("retry", retry(retry));
        }
        return campaign;
    }

    private static Document retry(JsonNode retry) {
        if (!retry.isObject()) {
            throw ApiException.badRequest("retry", "retry must be {on, maxAttempts, delaySeconds}");
        }
        retry.fieldNames().forEachRemaining(name -> {
            if (!RETRY_FIELDS.contains(name)) {
                throw ApiException.badRequest("retry." + name, "unknown field 'retry." + name + "'");
            }
        });
        List<String> on = new ArrayList<>();
        for (JsonNode status : retry.path("on")) {
            String value = status.asText().replace('_', '-').toLowerCase(Locale.ROOT);
            if (!CallingRules.RETRYABLE.contains(value)) {
                throw ApiException.badRequest("retry.on", "retry.on may hold busy, no_answer and machine");
            }
            on.add(value);
        }
        int attempts = retry.path("maxAttempts").asInt(-1);
        long delay = retry.path("delaySeconds").asLong(-1);
        if (attempts < 1 || attempts > 10) {
            throw ApiException.badRequest("retry.maxAttempts", "retry.maxAttempts must be from 1 to 10");
        }
        if (delay < 0 || delay > 86_400) {
            throw ApiException.badRequest("retry.delaySeconds", "retry.delaySeconds must be from 0 to 86400");
        }
        return new Document("on", on).append("maxAttempts", attempts).append("delaySeconds", delay);
    }

    Map<String, Object> view(Document campaign) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", campaign.getString("_id"));
        view.put("name", campaign.getString("name"));
        view.put("agentId", campaign.getString("agentId"));
        view.put("purpose", campaign.getString("purpose"));
        view.put("status", campaign.getString("status"));
        view.put("maxConcurrentCalls", campaign.getInteger("maxConcurrentCalls"));
        Document retry = campaign.get("retry", Document.class);
        if (retry != null) {
            view.put("retry", Map.of("on", retry.getList("on", String.class), "maxAttempts",
                    retry.getInteger("maxAttempts"), "delaySeconds", retry.get("delaySeconds")));
        }
        view.put("leads", leadsIn(campaign));
        view.put("counts", counts(campaign));
        view.put("attempts", campaign.getInteger("attempts", 0));
        for (String time : List.of("startAt", "createdAt", "startedAt", "completedAt")) {
            if (campaign.getDate(time) != null) {
                view.put(time, campaign.getDate(time).toInstant().toString());
            }
        }
        Instant end = estimatedEnd(campaign);
        if (end != null) {
            view.put("estimatedEndAt", end.toString());
        }
        return view;
    }

    /** Leads by where they stand: not dialled yet, being dialled, waiting for a retry, and each final outcome. */
    static Map<String, Object> counts(Document campaign) {
        Map<String, Object> counts = new LinkedHashMap<>();
        int dialing = campaign.getList("inFlight", Integer.class, List.of()).size();
        int waiting = campaign.getInteger("waiting", 0);
        Document outcomes = campaign.get("outcomes", new Document());
        counts.put("queued", Math.max(0, leadsIn(campaign) - done(campaign) - dialing - waiting));
        counts.put("dialing", dialing);
        counts.put("waiting", waiting);
        for (String outcome : OUTCOMES) {
            counts.put(outcome.replace('-', '_'), outcomes.getInteger(outcome, 0));
        }
        return counts;
    }

    /** The leads with their final outcome. */
    private static int done(Document campaign) {
        return campaign.get("outcomes", new Document()).values().stream().mapToInt(v -> ((Number) v).intValue()).sum();
    }

    /** The leads stored: the places taken less those whose row turned out a duplicate. */
    static int leadsIn(Document campaign) {
        return campaign.getInteger("leadCount", 0) - campaign.getInteger("gaps", 0);
    }

    /** From the pace so far (leads finished per second running): when the last lead should finish. */
    private Instant estimatedEnd(Document campaign) {
        if (!RUNNING.equals(campaign.getString("status")) && !PAUSED.equals(campaign.getString("status"))) {
            return null;
        }
        long ran = campaign.get("runMillis", 0L);
        if (campaign.getDate("runningSince") != null) {
            ran += Duration.between(campaign.getDate("runningSince").toInstant(), clock.instant()).toMillis();
        }
        int done = done(campaign);
        int left = leadsIn(campaign) - done;
        if (done == 0 || ran <= 0) {
            return null;
        }
        return clock.instant().plusMillis((long) ((double) ran / done * left));
    }

    private static Map<String, Object> imported(CampaignLeads.Imported imported) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("accepted", imported.accepted());
        view.put("rejectedCount", imported.rejectedCount());
        view.put("rejected", imported.rejected());
        return view;
    }

    private static boolean isCsv(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/csv");
    }
}

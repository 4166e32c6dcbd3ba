package voipgateway.campaigns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import org.bson.conversions.Bson;
import voipgateway.api.ApiException;
import voipgateway.api.Json;
import voipgateway.calls.CallEvents;
import voipgateway.calls.CallLifecycle;
import voipgateway.calls.DialLedger;
import voipgateway.calls.IndianPhoneNumbers;
import voipgateway.calls.OutboundCallRequest;
import voipgateway.compliance.CallingRules;
import voipgateway.compliance.CallingWindow;
import voipgateway.providers.ProviderAccount;
import voipgateway.storage.Collections;
import voipgateway.storage.MongoRequests;

/**
 * Dials the running campaigns' leads (route {@code dial-campaigns}, on the leader) and moves them on from their
 * calls' events. A look takes no more leads than the cap has room for, nor than the agent's provider account's
 * pacing lets through until the next look. A lead is {@code queued}, {@code dialing} (its attempt's call not ended yet), {@code waiting} (for a
 * retry, in {@code campaign_retries}) or {@code done} (its final {@code outcome}). Each look takes, per campaign, as
 * many leads as its cap has room for (due retries first, then the next in the campaign's order), only inside the
 * calling window of its purpose in the tenant's zone; each is dialled through the dial ledger under the key
 * {@code campaign:<id>:<leadId>:<attempt>}, so an attempt rings at most once whatever is retried or redelivered.
 * Every read is by {@code _id} (the lead's place in its campaign); the due retries are a collection as small as
 * the leads waiting.
 */
public class CampaignDialer {

    public static final String QUEUED = "queued";
    public static final String DIALING = "dialing";
    public static final String WAITING = "waiting";
    private static final FindOneAndUpdateOptions AFTER = new FindOneAndUpdateOptions()
            .returnDocument(ReturnDocument.AFTER);
    /** When a lead left flight (done, or waiting for a retry). */
    static final String MOVED_AT = "movedAt";
    public static final String DONE = "done";
    static final String RETRIES = "campaign_retries";

    private final MongoDatabase db;
    private final MongoCollection<Document> campaigns;
    private final MongoCollection<Document> runs;
    private final MongoCollection<Document> retries;
    private final MongoCollection<Document> calls;
    private final Clock clock;
    private final Duration redialAfter;
    private final Duration tick;
    private final Duration pacingMargin;
    /** Per campaign, the leads taken here and not dialled yet (at most a look's worth wait at the pacing gate). */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> taken = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@code redialAfter}: a lead dialling this long with no call stored was lost with its instance: dialled again;
     * {@code tick}: how often the dialer looks.
     */
    public CampaignDialer(MongoDatabase db, Clock clock, Duration redialAfter, Duration tick, Duration pacingMargin) {
        this.tick = tick;
        this.pacingMargin = pacingMargin;
        this.db = db;
        this.campaigns = db.getCollection(Campaigns.COLLECTION);
        this.runs = db.getCollection(Campaigns.RUNS);
        this.retries = db.getCollection(RETRIES);
        this.calls = db.getCollection(Collections.CALLS);
        this.clock = clock;
        this.redialAfter = redialAfter;
    }

    public static void createIndexes(MongoDatabase db) {
        db.getCollection(RETRIES).createIndex(Indexes.ascending("campaignId", "dueAt"));
    }

    /** The campaigns being run (or with events still to send). */
    public List<Document> active() {
        List<Document> active = new ArrayList<>();
        for (Document run : runs.find()) {
            Document campaign = campaigns.find(Filters.eq("_id", run.getString("_id"))).first();
            if (campaign == null || isOver(campaign) && CallEvents.lastWaiting(campaign) == 0) {
                runs.deleteOne(Filters.eq("_id", run.getString("_id")));
            } else {
                active.add(campaign);
            }
        }
        return active;
    }

    /**
     * The leads to dial now for this campaign (property {@code campaign}, the tenant's {@code rules}): each claimed
     * (dialing, its attempt counted), none beyond the cap, none outside the calling window or before
     * {@code startAt}. Leads left dialing by a stopped instance are dialled again (the ledger answers those that
     * were).
     */
    public List<Map<String, Object>> take(@ExchangeProperty("campaign") Document campaign,
            @ExchangeProperty("rules") CallingRules rules, @ExchangeProperty("account") ProviderAccount account) {
        List<Map<String, Object>> dials = new ArrayList<>();
        if (!Campaigns.RUNNING.equals(campaign.getString("status"))) {
            return dials;
        }
        Instant now = clock.instant();
        if (campaign.getDate("startAt") != null && campaign.getDate("startAt").toInstant().isAfter(now)) {
            return dials;
        }
        CallingWindow window = rules.window(campaign.getString("purpose"));
        if (window != null && !window.contains(ZonedDateTime.now(clock.withZone(rules.timeZone())).toLocalTime())) {
            return dials;
        }
        String id = campaign.getString("_id");
        MongoCollection<Document> leads = CampaignLeads.of(db, id);
        List<Integer> inFlight = campaign.getList("inFlight", Integer.class, List.of());
        for (Integer n : inFlight) {
            Document lead = leads.find(Filters.eq("_id", n)).first();
            if (lead != null && QUEUED.equals(lead.getString("state"))) {
                // taken, then the instance stopped before the lead was marked
                Document claimed = claim(leads, lead, now);
                if (claimed != null) {
                    dials.add(dial(campaign, claimed));
                }
            } else if (lead != null && DIALING.equals(lead.getString("state")) && lead.getDate("dialingSince")
                    .toInstant().plus(redialAfter).isBefore(now) && calls.find(MongoRequests.match("userId",
                    campaign.getString("userId"), "idempotencyKey", key(id, lead))).first() == null) {
                dials.add(dial(campaign, lead));
            } else if (lead != null && (DONE.equals(lead.getString("state")) || WAITING.equals(lead.getString("state")))
                    && lead.getDate(MOVED_AT) != null && lead.getDate(MOVED_AT).toInstant().plus(redialAfter).isBefore(now)) {
                // it left flight long ago, and its instance stopped before the campaign heard: the campaign hears now
                leftFlight(id, lead);
            }
        }
        int room = campaign.getInteger("maxConcurrentCalls") - inFlight.size();
        // no more a look than the account's pacing lets through until the next: a lead taken is a lead dialled, not
        // one queued at the pacing gate holding a place of the cap
        int callsPerSecond = account == null ? 0 : account.limits().callsPerSecond();
        java.util.concurrent.atomic.AtomicInteger waiting = taken.computeIfAbsent(id,
                key -> new java.util.concurrent.atomic.AtomicInteger());
        if (callsPerSecond > 0) {
            // the pacing lets n calls through per second and its margin (Pacing); a look's worth is taken, less those
            // of the last look still waiting at the gate, so the gate's queue stays short however long the run
            int perLook = (int) Math.ceil(callsPerSecond * (double) tick.toMillis() / (1000 + pacingMargin.toMillis()));
            room = Math.min(room, perLook - waiting.get());
        }
        for (Document due : retries.find(Filters.and(Filters.eq("campaignId", id), Filters.lte("dueAt", Date.from(now))))
                .sort(Sorts.ascending("dueAt")).limit(Math.max(room, 0))) {
            int n = due.getInteger("lead");
            // the lead first, then its place in flight, then its entry goes: a stop anywhere between leaves the entry,
            // and the next look finishes what this one began (the lead already dialing: counted once, not claimed
            // again; it is dialled again as a lead left dialing is, the ledger answering if it was)
            Document claimed = claim(leads, leads.find(Filters.eq("_id", n)).first(), now);
            Document lead = claimed != null ? claimed : leads.find(Filters.eq("_id", n)).first();
            if (lead != null && WAITING.equals(lead.getString("state"))) {
                // changed while this look read it: the next look takes it
                continue;
            }
            boolean dialing = lead != null && DIALING.equals(lead.getString("state"));
            if (claimed != null || dialing && !inFlight.contains(n)) {
                // the attempt is counted with the lead's place in flight, in one write
                campaigns.updateOne(Filters.eq("_id", id), Updates.combine(Updates.addToSet("inFlight", n),
                        Updates.inc("waiting", -1), Updates.inc("attempts", 1)));
                room--;
            } else if (!dialing) {
                // no lead to wait for any more: it no longer counts as waiting
                campaigns.updateOne(Filters.eq("_id", id), Updates.inc("waiting", -1));
            }
            retries.deleteOne(Filters.eq("_id", due.getString("_id")));
            if (claimed != null) {
                dials.add(dial(campaign, claimed));
            }
        }
        int next = campaign.getInteger("nextLead", 1);
        int count = campaign.getInteger("leadCount", 0);
        while (room > 0 && next <= count) {
            int n = next++;
            campaigns.updateOne(Filters.eq("_id", id), Updates.combine(Updates.addToSet("inFlight", n),
                    Updates.set("nextLead", next), Updates.inc("attempts", 1)));
            Document claimed = claim(leads, leads.find(Filters.eq("_id", n)).first(), now);
            if (claimed != null) {
                dials.add(dial(campaign, claimed));
                room--;
            } else {
                // a place whose row was refused as a duplicate
                campaigns.updateOne(Filters.eq("_id", id), Updates.combine(Updates.pull("inFlight", n),
                        Updates.inc("attempts", -1)));
            }
        }
        return dials;
    }

    /** Whether a running campaign is done: every lead taken, none in flight or waiting for a retry. */
    public boolean finished(@ExchangeProperty("campaign") Document campaign) {
        Document now = campaigns.find(Filters.eq("_id", campaign.getString("_id"))).first();
        return Campaigns.RUNNING.equals(now.getString("status"))
                && now.getInteger("nextLead", 1) > now.getInteger("leadCount", 0)
                && now.getList("inFlight", Integer.class, List.of()).isEmpty() && now.getInteger("waiting", 0) == 0;
    }

    private Document claim(MongoCollection<Document> leads, Document lead, Instant now) {
        if (lead == null || !(QUEUED.equals(lead.getString("state")) || WAITING.equals(lead.getString("state")))) {
            return null;
        }
        return leads.findOneAndUpdate(MongoRequests.match("_id", lead.getInteger("_id"), "version",
                lead.getInteger("version")), Updates.combine(Updates.set("state", DIALING), Updates.inc("attempts", 1),
                Updates.set("dialingSince", Date.from(now)), Updates.unset("dueAt"), Updates.inc("version", 1)),
                AFTER);
    }

    private Map<String, Object> dial(Document campaign, Document lead) {
        taken.computeIfAbsent(campaign.getString("_id"), key -> new java.util.concurrent.atomic.AtomicInteger())
                .incrementAndGet();
        Map<String, Object> dial = new LinkedHashMap<>();
        dial.put("campaignId", campaign.getString("_id"));
        dial.put("tenantId", campaign.getString("userId"));
        dial.put("agentId", campaign.getString("agentId"));
        dial.put("purpose", campaign.getString("purpose"));
        dial.put("lead", lead.getInteger("_id"));
        dial.put("leadId", lead.getString("leadId"));
        dial.put("toPhone", lead.getString("toPhone"));
        dial.put("attempt", lead.getInteger("attempts"));
        return dial;
    }

    private static String key(String campaignId, Document lead) {
        return "campaign:" + campaignId + ":" + lead.getString("leadId") + ":" + lead.getInteger("attempts");
    }

    /**
     * A taken lead as a dial request: properties {@code request}, {@code tenantId}, {@code dialKey}, ...; property
     * {@code campaignHeld} when its campaign was paused or canceled since it was taken (it is not dialled).
     */
    public void request(@Body Map<String, Object> dial, Exchange exchange) {
        String campaignId = (String) dial.get("campaignId");
        Document campaign = campaigns.find(Filters.eq("_id", campaignId)).first();
        exchange.setProperty("campaignHeld", campaign == null || !Campaigns.RUNNING.equals(campaign.getString("status")));
        String leadId = (String) dial.get("leadId");
        String toPhone = (String) dial.get("toPhone");
        exchange.setProperty("campaignDial", dial);
        exchange.setProperty("tenantId", dial.get("tenantId"));
        exchange.setProperty("dialKey", "campaign:" + campaignId + ":" + leadId + ":" + dial.get("attempt"));
        exchange.setProperty("retryable", true);
        exchange.setProperty(DialLedger.CAMPAIGN_CALL, new Document("campaignId", campaignId)
                .append("campaignLead", dial.get("lead")).append("campaignAttempt", dial.get("attempt")));
        exchange.setProperty("request", new OutboundCallRequest((String) dial.get("agentId"), leadId, toPhone,
                IndianPhoneNumbers.callTo(toPhone, "toPhone"), (String) dial.get("purpose"), false, null));
    }

    /**
     * After the dial: a lead held back (its campaign paused meanwhile) waits for it to run again; a call released
     * before it left (pacing, the provider unreachable) puts its lead back for a
     * retry a second later; a refusal before any call (no line for the agent) ends the lead as failed. Everything
     * else moves on through the call's events.
     */
    public void dialed(@ExchangeProperty("campaignDial") Map<String, Object> dial,
            @ExchangeProperty("call") Document call, @ExchangeProperty("campaignHeld") boolean held,
            Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String id = (String) dial.get("campaignId");
        java.util.concurrent.atomic.AtomicInteger waiting = taken.get(id);
        if (waiting != null) {
            waiting.decrementAndGet();
        }
        int n = (Integer) dial.get("lead");
        MongoCollection<Document> leads = CampaignLeads.of(db, id);
        Document lead = leads.find(Filters.eq("_id", n)).first();
        if (lead == null || !DIALING.equals(lead.getString("state"))
                || lead.getInteger("attempts") != (int) (Integer) dial.get("attempt")) {
            return;
        }
        if (held) {
            // not dialled: it waits for the campaign to run again
            wait(id, lead, 0, false);
        } else if (call != null && CallLifecycle.PENDING.equals(call.getString("status"))
                || call == null && failure != null && !(failure instanceof ApiException api && api.status() < 500)) {
            wait(id, lead, 1, false);
        } else if (call == null && failure instanceof ApiException api && api.status() != 409) {
            finish(id, lead, "failed", null);
        }
    }

    /**
     * A call's event from the bus: a campaign call's final status (ended, refused, unknown) ends its lead's attempt:
     * retried if the campaign's retries say so, else the lead's outcome. A later report of an attempt already ended
     * (unknown, then completed) corrects the outcome. Repeated events change nothing.
     */
    public void progress(@Body String event) throws Exception {
        JsonNode data = Json.MAPPER.readTree(event).path("data");
        if (!data.hasNonNull("campaignId") || !data.hasNonNull("campaignLead")) {
            return;
        }
        String status = data.path("status").asText();
        if (!CallLifecycle.isTerminal(status) && !CallLifecycle.UNKNOWN.equals(status)) {
            return;
        }
        String id = data.get("campaignId").asText();
        Document campaign = campaigns.find(Filters.eq("_id", id)).first();
        Document lead = campaign == null ? null : CampaignLeads.of(db, id).find(Filters.eq("_id",
                data.get("campaignLead").asInt())).first();
        if (lead == null || lead.getInteger("attempts") != data.path("campaignAttempt").asInt()) {
            return;
        }
        String callId = data.path("callId").asText();
        // a machine's answer is its own outcome, retried as the campaign says of machines
        String outcome = CallingRules.retryClass(status, data.path("outcome").asText(null));
        if (DIALING.equals(lead.getString("state"))) {
            Document retry = campaign.get("retry", Document.class);
            boolean again = retry != null && retry.getList("on", String.class, List.of()).contains(outcome)
                    && !data.path("permanent").asBoolean(false)
                    && lead.getInteger("attempts") < retry.getInteger("maxAttempts", 1)
                    && !Set.of(Campaigns.CANCELED).contains(campaign.getString("status"));
            if (again) {
                wait(id, lead, retry.get("delaySeconds", Number.class).longValue(), true);
            } else {
                finish(id, lead, outcome, callId);
            }
        } else if (DONE.equals(lead.getString("state")) && corrects(lead.getString("outcome"), outcome)) {
            String was = lead.getString("outcome");
            if (change(id, lead, Updates.set("outcome", outcome)) != null) {
                campaigns.updateOne(Filters.eq("_id", id), Updates.combine(Updates.inc("outcomes." + was, -1),
                        Updates.inc("outcomes." + outcome, 1)));
            }
        }
    }

    /** A late report corrects an ended lead: its outcome was unknown, or a machine's verdict came after the call ended. */
    static boolean corrects(String was, String now) {
        return CallLifecycle.UNKNOWN.equals(was) ? !now.equals(was) : "completed".equals(was) && "machine".equals(now);
    }

    private void finish(String id, Document lead, String outcome, String callId) {
        List<Bson> updates = new ArrayList<>(List.of(Updates.set("state", DONE), Updates.set("outcome", outcome),
                Updates.set(MOVED_AT, Date.from(clock.instant()))));
        if (callId != null) {
            updates.add(Updates.set("callId", callId));
        }
        Document moved = change(id, lead, Updates.combine(updates));
        if (moved != null) {
            leftFlight(id, moved);
        }
    }

    /** The lead waits for another attempt ({@code counted}: this one was made; else it never left). */
    private void wait(String id, Document lead, long seconds, boolean counted) {
        Date due = Date.from(clock.instant().plusSeconds(seconds));
        Bson update = Updates.combine(Updates.set("state", WAITING), Updates.set("dueAt", due),
                Updates.set(MOVED_AT, Date.from(clock.instant())), Updates.set("attemptCounted", counted));
        if (!counted) {
            update = Updates.combine(update, Updates.inc("attempts", -1));
        }
        Document moved = change(id, lead, update);
        if (moved != null) {
            leftFlight(id, moved);
        }
    }

    /**
     * The campaign's side of a lead leaving flight, after the lead's own write: done, its outcome counted; waiting,
     * its retry's entry written and it counted as waiting. Also what a later look does for a lead whose instance
     * stopped between the two writes.
     */
    private void leftFlight(String id, Document lead) {
        int n = lead.getInteger("_id");
        if (DONE.equals(lead.getString("state"))) {
            campaigns.updateOne(Filters.eq("_id", id), Updates.combine(Updates.pull("inFlight", n),
                    Updates.inc("outcomes." + lead.getString("outcome"), 1)));
        } else {
            retries.replaceOne(Filters.eq("_id", id + ":" + n), new Document("_id", id + ":" + n)
                    .append("campaignId", id).append("lead", n).append("dueAt", lead.getDate("dueAt")),
                    new ReplaceOptions().upsert(true));
            campaigns.updateOne(Filters.eq("_id", id), Updates.combine(Updates.pull("inFlight", n),
                    Updates.inc("waiting", 1), Updates.inc("attempts", lead.getBoolean("attemptCounted", true) ? 0 : -1)));
        }
    }

    /** A lead's compare-and-set on its version: the lead as written, or null when another writer came first. */
    private Document change(String id, Document lead, Bson update) {
        return CampaignLeads.of(db, id).findOneAndUpdate(MongoRequests.match("_id", lead.getInteger("_id"), "version",
                lead.getInteger("version")), Updates.combine(update, Updates.inc("version", 1)),
                AFTER);
    }

    private static boolean isOver(Document campaign) {
        return Campaigns.COMPLETED.equals(campaign.getString("status"))
                || Campaigns.CANCELED.equals(campaign.getString("status"));
    }
}

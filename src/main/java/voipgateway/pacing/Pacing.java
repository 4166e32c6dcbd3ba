package voipgateway.pacing;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.calls.CallLifecycle;
import voipgateway.calls.ExpiredClaims;
import voipgateway.providers.ProviderAccount;
import voipgateway.storage.Collections;

/**
 * Pacing per provider account, held in MongoDB so it holds across instances of the service.
 * <ul>
 * <li>Calls a second: the account's last dial times ({@code rates}, one document per account): a dial starts only
 * when fewer than the limit started in the last second.</li>
 * <li>Live calls: every dialled call holds a slot ({@code slots}) until its terminal status, or until it has
 * lasted {@code voip.max-call-seconds} plus {@code voip.call-grace-seconds} (the sweeper settles it then, so a
 * lost callback cannot leak it). The sweeper also frees a slot whose call ended while MongoDB could not take the
 * slot back. An account with a concurrency limit has that many numbered slots
 * ({@code _id} {@code <account>#<n>}, taken by an upsert that a held slot refuses with a duplicate key); one
 * without holds a document of its own ({@code live}, {@code _id} the call), written in batches off the request
 * path ({@link LiveCalls}).</li>
 * </ul>
 * Over a limit, {@link #acquire} waits up to property {@code pacingWaitMillis} (the queue and the scheduler wait;
 * REST does not) and then throws {@link PacingLimitException}. Exchange properties: reads {@code account},
 * {@code callId}, {@code pacingWaitMillis}; sets {@code slot}.
 */
public class Pacing {

    private static final long RETRY_MILLIS = 20;
    private static final int BATCH = 500;
    private static final long QUIET_MILLIS = 10_000;

    /** The statuses of a call that holds its slot: being placed, or placed and not ended. */
    private static final Set<String> HOLDING = Set.of(CallLifecycle.DIALING, CallLifecycle.UNKNOWN,
            CallLifecycle.INITIATED, CallLifecycle.RINGING, CallLifecycle.ANSWERED);

    /** A call of an account without a concurrency limit holds this slot: its document in {@code live}. */
    static final String LIVE = Collections.LIVE_CALLS;

    private final MongoCollection<Document> slots;
    private final MongoCollection<Document> live;
    private final LiveCalls liveCalls;
    private final MongoCollection<Document> rates;
    private final MongoCollection<Document> calls;
    private final Clock clock;
    private final Duration longestCall;
    private final long marginMillis;
    private volatile Object liveCursor;
    private volatile Object slotsCursor;
    private volatile boolean lookedAtAll;
    private final ExpiredClaims expiredClaims;

    public Pacing(MongoDatabase db, LiveCalls liveCalls, ExpiredClaims expiredClaims, Clock clock,
            Duration longestCall, Duration margin) {
        this.marginMillis = margin.toMillis();
        this.expiredClaims = expiredClaims;
        this.slots = db.getCollection("slots");
        this.live = db.getCollection(LIVE);
        this.liveCalls = liveCalls;
        this.rates = db.getCollection("rates");
        this.calls = db.getCollection("calls");
        this.clock = clock;
        this.longestCall = longestCall;
    }

    public void acquire(@ExchangeProperty("account") ProviderAccount account, @ExchangeProperty("callId") ObjectId callId,
            @ExchangeProperty("pacingWaitMillis") Long waitMillis, Exchange exchange) throws InterruptedException {
        long giveUpAt = clock.millis() + (waitMillis == null ? 0 : waitMillis);
        while (true) {
            String refusal = tryAcquire(account, callId, exchange);
            if (refusal == null) {
                return;
            }
            if (clock.millis() >= giveUpAt) {
                throw new PacingLimitException(refusal);
            }
            Thread.sleep(RETRY_MILLIS);
        }
    }

    /** Null when the call has its slot (property {@code slot}); else why not. */
    private String tryAcquire(ProviderAccount account, ObjectId callId, Exchange exchange) {
        ProviderAccount.Limits limits = account.limits();
        int max = limits.maxConcurrentCalls();
        if (max > 0 && !hasFreeSlot(account, max)) {
            return "the provider account has " + max + " calls live, its limit; try again shortly";
        }
        if (limits.callsPerSecond() > 0 && !tookRate(account.id(), limits.callsPerSecond())) {
            return "the provider account places at most " + limits.callsPerSecond() + " calls a second";
        }
        Date now = new Date(clock.millis());
        Document held = new Document("call", callId).append("account", account.id())
                .append("until", new Date(now.getTime() + longestCall.toMillis()));
        if (max <= 0) {
            liveCalls.hold(callId, held);
            exchange.setProperty("slot", LIVE);
            return null;
        }
        int start = ThreadLocalRandom.current().nextInt(max);
        for (int i = 0; i < max; i++) {
            String id = account.id() + "#" + (start + i) % max;
            try {
                // free: never taken, released, or held past the longest call; a held one makes the upsert collide
                slots.updateOne(new Document("_id", id).append("$or", List.of(new Document("call", null),
                        new Document("until", new Document("$lt", now)))), new Document("$set", held),
                        new UpdateOptions().upsert(true));
                exchange.setProperty("slot", id);
                return null;
            } catch (MongoWriteException e) {
                if (e.getError().getCode() != 11000) {
                    throw e;
                }
            }
        }
        return "the provider account has " + max + " calls live, its limit; try again shortly";
    }

    /**
     * A sliding window: the account's last {@code n} dial times ({@code rates}, one document per account); a dial
     * may start when fewer than {@code n} started in the last second and {@code voip.pacing.margin-ms}: the time a
     * dial may take from here to the provider, so the provider, whichever second it counts in, never sees more than
     * {@code n}. One atomic write: the
     * filter matches only when the window has room, and a full window makes the upsert collide.
     */
    private boolean tookRate(String account, int n) {
        long now = clock.millis();
        Document filter = new Document("_id", account).append("$or", List.of(
                new Document("t." + (n - 1), new Document("$exists", false)),
                new Document("t.0", new Document("$lte", now - 1000 - marginMillis))));
        try {
            rates.updateOne(filter, Updates.pushEach("t", List.of(now), new PushOptions().slice(-n)),
                    new UpdateOptions().upsert(true));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCode() != 11000) {
                throw e;
            }
            return false;
        }
    }

    /** Whether fewer than {@code max} of the account's slots are held now (one look, before anything is counted). */
    private boolean hasFreeSlot(ProviderAccount account, int max) {
        return slots.countDocuments(new Document("account", account.id()).append("call", new Document("$ne", null))
                .append("until", new Document("$gte", new Date(clock.millis())))) < max;
    }

    /** The dial failed before the provider took the call: the slot it took (property {@code slot}) is free. */
    public void release(@ExchangeProperty("slot") String slot, @ExchangeProperty("callId") ObjectId callId) {
        if (LIVE.equals(slot)) {
            liveCalls.end(callId);
        } else {
            free(slot, callId);
        }
    }

    /**
     * The call (property {@code call}) reached a terminal status: every slot it holds is free. A call may hold more
     * than the one its outcome names: a first try's that could not be given back (MongoDB gone) beside a retry's
     * (found by the fault runs); or none named, when the outcome was never written.
     */
    public void releaseCall(@ExchangeProperty("call") Document call) {
        if (call == null) {
            return;
        }
        ObjectId callId = call.getObjectId("_id");
        String slot = call.getString("slot");
        if (!LIVE.equals(slot)) {
            // slots holds at most the accounts' limits: a short scan
            slots.deleteMany(new Document("call", callId));
        }
        if (slot == null || LIVE.equals(slot)) {
            liveCalls.end(callId);
        }
    }

    /** Slots held past the longest call (their calls' ends were never reported), a batch at a time. */
    public List<Document> overdue() {
        Document due = new Document("until", new Document("$lt", new Date(clock.millis())));
        List<Document> found = new ArrayList<>();
        live.find(due).limit(BATCH).forEach(held -> found.add(liveSlot(held)));
        slots.find(new Document("call", new Document("$ne", null)).append("until", due.get("until"))).limit(BATCH)
                .forEach(held -> found.add(numberedSlot(held)));
        return found;
    }

    /**
     * The next batch of held slots ({@code {slot, call}}), from where the last look stopped, for
     * {@link #freeIfEnded}: each sweep looks at a batch of each collection, and comes round to every slot; the
     * first look after start, at all of them.
     */
    public List<Document> nextHeld() {
        List<Document> found = new ArrayList<>();
        if (!lookedAtAll) {
            // the first look, at start: every held slot, so the calls an instance that died left dialing are seen
            // (MongoDB out then: the next look tries again)
            live.find().forEach(held -> found.add(liveSlot(held)));
            slots.find(new Document("call", new Document("$ne", null))).forEach(held -> found.add(numberedSlot(held)));
            lookedAtAll = true;
            return found;
        }
        liveCursor = page(live, liveCursor, held -> found.add(liveSlot(held)));
        slotsCursor = page(slots, slotsCursor, held -> {
            if (held.get("call") != null) {
                found.add(numberedSlot(held));
            }
        });
        return found;
    }

    /** {@code {slot, call}} of a {@code live} document (keyed by its call). */
    private static Document liveSlot(Document held) {
        return new Document("slot", LIVE).append("call", held.get("_id"));
    }

    /** {@code {slot, call}} of a numbered slot. */
    private static Document numberedSlot(Document held) {
        return new Document("slot", held.getString("_id")).append("call", held.get("call"));
    }

    /** One batch after {@code after} by {@code _id}; answers where the next starts (null: from the first again). */
    private static Object page(MongoCollection<Document> held, Object after, Consumer<Document> each) {
        Document filter = after == null ? new Document() : new Document("_id", new Document("$gt", after));
        Object last = null;
        int n = 0;
        for (Document document : held.find(filter).sort(new Document("_id", 1)).limit(BATCH)) {
            each.accept(document);
            last = document.get("_id");
            n++;
        }
        return n < BATCH ? null : last;
    }

    /**
     * A slot ({@code {slot, call}} of {@link #nextHeld}) whose call no longer holds it (the call ended, failed, was
     * released for a retry, or is gone, at least 10 s ago) while MongoDB could not take it back then: freed now.
     * Answers the call's status when it freed the slot, else null.
     */
    public String freeIfEnded(Document held) {
        ObjectId callId = held.getObjectId("call");
        Document call = calls.find(new Document("_id", callId)).first();
        // a call still being placed: watched until its claim expires (its instance may have died)
        expiredClaims.watch(call);
        String status = call == null ? "missing" : call.getString("status");
        Date changed = call == null ? null : call.getDate("updatedAt");
        if (HOLDING.contains(status) || changed != null && changed.getTime() > clock.millis() - QUIET_MILLIS) {
            // live; or it changed just now, and its own release may still be on its way
            return null;
        }
        // null too when the call's own release took it meanwhile (this batch was listed before it)
        return free(held.getString("slot"), callId) ? status : null;
    }

    /** A slot ({@code {slot, call}} of {@link #overdue} or {@link #nextHeld}) given back. */
    public void free(Document held) {
        free(held.getString("slot"), held.getObjectId("call"));
    }

    /** Whether the slot was still held by the call. */
    private boolean free(String slot, ObjectId callId) {
        if (LIVE.equals(slot)) {
            return live.deleteOne(new Document("_id", callId)).getDeletedCount() > 0;
        }
        return slot != null && slots.deleteOne(new Document("_id", slot).append("call", callId)).getDeletedCount() > 0;
    }

    /** Slots are freed by a compare-and-set on the call holding them; the sweeper looks for overdue ones. */
    public static void createIndexes(MongoDatabase db) {
        db.getCollection("slots").createIndex(Indexes.ascending("_id", "call"), new IndexOptions().unique(true));
        db.getCollection("slots").createIndex(Indexes.ascending("until"));
        db.getCollection(Collections.LIVE_CALLS).createIndex(Indexes.ascending("until"));
    }
}

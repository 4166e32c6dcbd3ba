package voipgateway.calls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import org.bson.types.ObjectId;

/**
 * Calls left {@code dialing} by an instance that died: their claim expires and no request of theirs will ever
 * store an outcome. Two looks hand the calls they find dialing to {@link #watch}: the look at held pacing slots
 * (which reads each slot's call by {@code _id}: at start all of them, then a batch each sweeper period), and, once
 * after a start, the calls created within the last claim, grace and {@link #RECENT} (by {@code _id}, whose
 * ObjectId begins with its creation time: a range of the {@code _id} index on a real MongoDB), which finds those
 * whose slot was not stored yet when their instance died (LiveCalls writes them in batches). Once a watched call's
 * claim has expired, plus {@code voip.claim-grace-seconds}, route {@code settle-expired-claims} makes it
 * {@code unknown} with reason {@code claim_expired} ({@link DialLedger#settleExpired}): never dialled again, and
 * the same Idempotency-Key answers that outcome. Only the ids and due times of the calls being placed are held.
 */
public class ExpiredClaims {

    /** How much longer before the claim and grace the look after a start reaches back. */
    static final Duration RECENT = Duration.ofMinutes(10);

    private final Duration lease;
    private final Duration grace;
    private final Clock clock;
    private final MongoCollection<Document> calls;
    private final Map<ObjectId, Instant> watched = new ConcurrentHashMap<>();
    private volatile boolean lookedAtRecent;

    public ExpiredClaims(Duration lease, Duration grace, Clock clock, MongoCollection<Document> calls) {
        this.lease = lease;
        this.grace = grace;
        this.clock = clock;
        this.calls = calls;
    }

    /** A call as last read: watched while it is dialing (until its claim, plus the grace, has passed). */
    public void watch(@ExchangeProperty("call") Document call) {
        if (call == null) {
            return;
        }
        ObjectId id = call.getObjectId("_id");
        Date claimedAt = call.getDate("claimedAt");
        if (CallLifecycle.DIALING.equals(call.getString("status")) && claimedAt != null && call.get("claim") != null) {
            watched.put(id, claimedAt.toInstant().plus(lease).plus(grace));
        } else {
            watched.remove(id);
        }
    }

    /**
     * Once after a start: the calls created lately that are still dialing are watched (MongoDB out: tried again at
     * the next check).
     */
    public void lookAtRecentOnce() {
        if (lookedAtRecent) {
            return;
        }
        long since = clock.instant().minus(lease).minus(grace).minus(RECENT).getEpochSecond();
        // the smallest id of that second: its time, then zeros
        ObjectId first = new ObjectId(String.format("%08x%016x", since, 0));
        calls.find(Filters.and(Filters.gte("_id", first), Filters.eq("status", CallLifecycle.DIALING)))
                .forEach(this::watch);
        lookedAtRecent = true;
    }

    /** The watched calls now due, each handed out once (a failed settlement is {@link #retry}d). */
    public List<ObjectId> due() {
        Instant now = clock.instant();
        List<ObjectId> due = new ArrayList<>();
        watched.forEach((id, at) -> {
            if (!at.isAfter(now) && watched.remove(id, at)) {
                due.add(id);
            }
        });
        return due;
    }

    /** Its settlement failed (MongoDB unreachable): looked at again at the next check. */
    public void retry(@ExchangeProperty("callId") ObjectId callId) {
        watched.putIfAbsent(callId, clock.instant());
    }

    int watching() {
        return watched.size();
    }
}

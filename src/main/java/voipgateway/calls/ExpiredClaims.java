package voipgateway.calls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import org.bson.types.ObjectId;

/**
 * Calls left {@code dialing} by an instance that died: their claim expires and no request of theirs will ever
 * store an outcome. The look at held pacing slots (which reads each slot's call by {@code _id}: at start all of
 * them, then a batch each sweeper period) hands every call it finds dialing to {@link #watch}; once its claim has
 * expired, plus {@code voip.claim-grace-seconds}, route {@code settle-expired-claims} makes it {@code unknown}
 * with reason {@code claim_expired} ({@link DialLedger#settleExpired}): never dialled again, and the same
 * Idempotency-Key answers that outcome. Only the ids and due times of the calls being placed are held.
 */
public class ExpiredClaims {

    private final Duration lease;
    private final Duration grace;
    private final Clock clock;
    private final Map<ObjectId, Instant> watched = new ConcurrentHashMap<>();

    public ExpiredClaims(Duration lease, Duration grace, Clock clock) {
        this.lease = lease;
        this.grace = grace;
        this.clock = clock;
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

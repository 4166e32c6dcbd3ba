package voipgateway.calls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which watched calls are due, and when; what stops a call being watched (the looks: DeadInstanceClaimsTest). */
class ExpiredClaimsTest {

    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @Test
    void aDialingCallIsDueOnceItsClaimAndGraceHavePassedAndOnlyOnce() {
        ExpiredClaims claims = new ExpiredClaims(Duration.ofSeconds(60), Duration.ofSeconds(10),
                Clock.fixed(NOW, ZoneOffset.UTC), null);
        ObjectId expired = new ObjectId();
        ObjectId young = new ObjectId();
        ObjectId ended = new ObjectId();
        claims.watch(dialing(expired, NOW.minusSeconds(71)));
        claims.watch(dialing(young, NOW.minusSeconds(69)));
        claims.watch(dialing(ended, NOW.minusSeconds(300)));
        claims.watch(new Document("_id", ended).append("status", "completed"));

        assertEquals(List.of(expired), claims.due());
        assertTrue(claims.due().isEmpty(), "handed out once");
        claims.retry(expired);
        assertEquals(List.of(expired), claims.due(), "a failed settlement is looked at again");
        assertEquals(1, claims.watching(), "the young one waits");
    }

    private static Document dialing(ObjectId id, Instant claimedAt) {
        return new Document("_id", id).append("status", CallLifecycle.DIALING).append("claim", "c")
                .append("claimedAt", Date.from(claimedAt));
    }
}

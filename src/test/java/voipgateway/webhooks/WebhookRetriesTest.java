package voipgateway.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a delivery is tried again: exponential, with jitter, capped, Retry-After honoured, for 24 hours. */
class WebhookRetriesTest {

    private static final Instant EVENT = Instant.parse("2026-12-06T10:00:00Z");
    private final WebhookAttempts attempts = new WebhookAttempts(null, null, null, null, null, null, null,
            new WebhookAttempts.Settings(2, Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofHours(24),
                    Duration.ofDays(3)));
    private final Document delivery = new Document("createdAt", Date.from(EVENT));

    @Test
    void eachRetryTwiceAsLateWithinAFifthEitherWayUpToTheLongest() {
        Instant now = EVENT.plusSeconds(60);
        for (int attempt = 1; attempt <= 14; attempt++) {
            long expected = Math.min(5_000L << (attempt - 1), 3_600_000L);
            long delay = Duration.between(now, attempts.nextAttempt(delivery, attempt, null, now)).toMillis();
            assertTrue(delay >= expected * 0.8 && delay <= expected * 1.2, attempt + ": " + delay);
        }
    }

    @Test
    void retryAfterIsHonouredWhenLaterInSecondsOrAsADate() {
        Instant now = EVENT.plusSeconds(60);
        assertEquals(now.plusSeconds(120), attempts.nextAttempt(delivery, 1,
                WebhookAttempts.retryAfter("120", now), now));
        assertEquals(Instant.parse("2026-12-06T11:00:00Z"), attempts.nextAttempt(delivery, 1,
                WebhookAttempts.retryAfter("Sun, 06 Dec 2026 11:00:00 GMT", now), now));
        assertNull(WebhookAttempts.retryAfter("soon", now));
    }

    @Test
    void theLastAttemptIsMadeADayAfterTheEventThenNoMore() {
        Instant late = EVENT.plus(Duration.ofHours(23).plusMinutes(50));
        assertEquals(EVENT.plus(Duration.ofHours(24)), attempts.nextAttempt(delivery, 20, null, late));
        assertNull(attempts.nextAttempt(delivery, 21, null, EVENT.plus(Duration.ofHours(24))));
        // sent again on request: a day from then
        Document retried = new Document("createdAt", Date.from(EVENT))
                .append("retryFrom", Date.from(EVENT.plus(Duration.ofDays(2))));
        assertTrue(attempts.nextAttempt(retried, 21, null, EVENT.plus(Duration.ofHours(49))) != null);
    }
}

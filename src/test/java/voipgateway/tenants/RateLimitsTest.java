package voipgateway.tenants;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each key: its limit at once, then one more every period / limit; Retry-After says when. */
class RateLimitsTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final RateLimits limits = new RateLimits(5, Duration.ofSeconds(60), 100, now::get);

    @Test
    void theLimitAtOnceThenOneMoreEveryTwelveSeconds() {
        takeAllowance("key");
        assertEquals(12, refusedFor("key"), "the sixth waits for one fifth of the minute");

        now.addAndGet(11 * SECOND);
        assertEquals(1, refusedFor("key"));
        now.addAndGet(SECOND);
        assertDoesNotThrow(() -> limits.take("key"));
        assertEquals(12, refusedFor("key"), "one was let through; the next comes 12 s later");
    }

    @Test
    void aRefusalDoesNotUseTheAllowance() {
        takeAllowance("key");
        for (int i = 0; i < 100; i++) {
            refusedFor("key");
        }
        now.addAndGet(12 * SECOND);
        assertDoesNotThrow(() -> limits.take("key"));
    }

    @Test
    void aKeyUnusedForAPeriodHasItsWholeAllowanceAgain() {
        takeAllowance("key");
        now.addAndGet(60 * SECOND);
        takeAllowance("key");
        assertEquals(12, refusedFor("key"), "never more than the limit at once");
    }

    @Test
    void eachKeyHasItsOwnAllowance() {
        takeAllowance("one");
        refusedFor("one");
        assertDoesNotThrow(() -> limits.take("another"));
    }

    @Test
    void aLimitOfAMillionASecondLetsAMillionThrough() {
        RateLimits high = new RateLimits(1_000_000, Duration.ofSeconds(1), 100, now::get);
        for (int i = 0; i < 1_000_000; i++) {
            high.take("key");
        }
        assertEquals(1, assertThrows(RateLimits.RateLimitedException.class, () -> high.take("key"))
                .retryAfterSeconds());
    }

    /** The key's whole allowance, at once: every one let through. */
    private void takeAllowance(String key) {
        for (int i = 0; i < 5; i++) {
            assertDoesNotThrow(() -> limits.take(key));
        }
    }

    private int refusedFor(String key) {
        RateLimits.RateLimitedException refused = assertThrows(RateLimits.RateLimitedException.class,
                () -> limits.take(key));
        assertEquals(429, refused.status());
        assertEquals("rate_limited", refused.error());
        return refused.retryAfterSeconds();
    }
}

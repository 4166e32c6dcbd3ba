package voipgateway.tenants;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each key: its limit at once, then one more every period / limit; Retry-After says when. */
class RateLimitsTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final RateLimits limits = new RateLimits(5, Duration.ofSeconds(60), 100, () -> 1, now::get);

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
        RateLimits high = new RateLimits(1_000_000, Duration.ofSeconds(1), 100, () -> 1, now::get);
        for (int i = 0; i < 1_000_000; i++) {
            high.take("key");
        }
        assertEquals(1, assertThrows(RateLimits.RateLimitedException.class, () -> high.take("key"))
                .retryAfterSeconds());
    }

    @Test
    void withThreeInstancesAliveEachLetsThroughAThird() {
        AtomicInteger instances = new AtomicInteger(3);
        RateLimits shared = new RateLimits(6, Duration.ofSeconds(60), 100, instances::get, now::get);
        shared.take("key");
        shared.take("key");
        assertEquals(30, assertThrows(RateLimits.RateLimitedException.class, () -> shared.take("key"))
                .retryAfterSeconds(), "a third of 6 a minute: one every 30 s here");

        instances.set(1);
        now.addAndGet(60 * SECOND);
        for (int i = 0; i < 6; i++) {
            assertDoesNotThrow(() -> shared.take("key"), "alone again: the whole allowance");
        }
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

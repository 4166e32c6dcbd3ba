package voipgateway.tenants;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.ExchangeProperty;
import voipgateway.api.ApiException;

/**
 * The rate limit of each API key: {@code voip.rate-limit-requests} per {@code voip.rate-limit-period-ms} on
 * average, at most that many at once (a key unused for a period has its whole allowance again); one more is a 429
 * whose {@code Retry-After} says when the next request is let through.
 * <p>
 * The generic cell rate algorithm: one number per key (when its allowance is next full), moved by a
 * compare-and-set, so the memory a key costs does not grow with its limit and requests never wait on a lock. Camel's
 * throttle, used before, kept an object per allowed request per key (24 MB a key at a limit of 1,000,000) behind
 * one lock. Keys not seen for a period are forgotten (nothing is lost: their allowance is full again); beyond
 * {@code voip.cache-entries} keys in use at once, the least used ones are forgotten sooner and start again full.
 */
public class RateLimits {

    private final long requests;
    private final long periodNanos;
    private final IntSupplier instances;
    private final LongSupplier nanoClock;
    private final Cache<String, AtomicLong> keys;

    /**
     * @param instances how many instances are alive (the cluster view's members): each lets through its share of a
     *                  key's allowance, so the key gets its allowance whatever instances its requests reach, with no
     *                  write to a shared store per request
     */
    public RateLimits(long requests, Duration period, long maxKeys, IntSupplier instances, LongSupplier nanoClock) {
        this.requests = requests;
        this.periodNanos = period.toNanos();
        this.instances = instances;
        this.nanoClock = nanoClock;
        this.keys = Caffeine.newBuilder().expireAfterAccess(period).maximumSize(maxKeys).build();
    }

    public RateLimits(long requests, Duration period, long maxKeys, IntSupplier instances) {
        this(requests, period, maxKeys, instances, System::nanoTime);
    }

    /** Lets the request through, or refuses it with 429 and when to ask again. */
    public void take(@ExchangeProperty("apiKeyHash") String key) {
        // this instance's share: one request every (period x instances / allowance)
        long intervalNanos = Math.max(1, periodNanos * Math.max(1, instances.getAsInt()) / requests);
        long burstNanos = periodNanos - intervalNanos;
        AtomicLong full = keys.get(key, k -> new AtomicLong(nanoClock.getAsLong()));
        while (true) {
            long now = nanoClock.getAsLong();
            long seen = full.get();
            long from = Math.max(seen, now);
            long wait = from - burstNanos - now;
            if (wait > 0) {
                throw new RateLimitedException(wait);
            }
            if (full.compareAndSet(seen, from + intervalNanos)) {
                return;
            }
        }
    }

    /** Too many requests from this API key: {@code Retry-After} is when the next one is let through. */
    public static class RateLimitedException extends ApiException {

        private final int retryAfterSeconds;

        RateLimitedException(long waitNanos) {
            super(429, "rate_limited", null, "too many requests for this API key; slow down");
            this.retryAfterSeconds = (int) Math.max(1, (waitNanos + 999_999_999) / 1_000_000_000);
        }

        @Override
        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}

package voipgateway.tenants;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import voipgateway.api.ApiException;

/**
 * Wrong API and admin keys, counted per client address: after {@code voip.auth.failures-per-minute} in a minute,
 * that address's requests are refused with 429 (and {@code Retry-After}) before any key of theirs is looked at,
 * until the oldest of those failures is a minute old. So guessing keys goes no faster than that, and clients at
 * other addresses are never slowed by it. The address is the connection's (a proxy in front makes all its clients
 * one address: let it do this instead). At most {@code voip.cache-entries} addresses are followed at once.
 */
public class KeyGuesses {

    /** The header platform-http gives the connection's remote address in. */
    static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";
    private static final long WINDOW_NANOS = Duration.ofMinutes(1).toNanos();

    private final int allowed;
    private final LongSupplier nanoClock;
    private final Cache<String, Deque<Long>> failures;

    public KeyGuesses(int allowedPerMinute, long maxAddresses, LongSupplier nanoClock) {
        this.allowed = allowedPerMinute;
        this.nanoClock = nanoClock;
        this.failures = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).maximumSize(maxAddresses)
                .build();
    }

    public KeyGuesses(int allowedPerMinute, long maxAddresses) {
        this(allowedPerMinute, maxAddresses, System::nanoTime);
    }

    /** Before a key is looked at: 429 while the client's address has had too many wrong keys this last minute. */
    public void check(Exchange exchange) {
        Deque<Long> recent = failures.getIfPresent(address(exchange));
        if (recent == null) {
            return;
        }
        long now = nanoClock.getAsLong();
        synchronized (recent) {
            while (!recent.isEmpty() && now - recent.peekFirst() >= WINDOW_NANOS) {
                recent.pollFirst();
            }
            if (recent.size() >= allowed) {
                throw new TooManyWrongKeysException(WINDOW_NANOS - (now - recent.peekFirst()));
            }
        }
    }

    /** A key the client gave was wrong. */
    public void failed(Exchange exchange) {
        Deque<Long> recent = failures.get(address(exchange), a -> new ArrayDeque<>());
        synchronized (recent) {
            recent.addLast(nanoClock.getAsLong());
            while (recent.size() > allowed) {
                recent.pollFirst();
            }
        }
    }

    static String address(Exchange exchange) {
        Object remote = exchange.getMessage().getHeader(REMOTE_ADDRESS);
        return remote instanceof SocketAddress socket && socket.hostAddress() != null ? socket.hostAddress()
                : "unknown";
    }

    /** 429: this address gave too many wrong keys; {@code Retry-After} is when it may try again. */
    static class TooManyWrongKeysException extends ApiException {

        private final int retryAfterSeconds;

        TooManyWrongKeysException(long waitNanos) {
            super(429, "too_many_failed_keys", "Authorization",
                    "too many wrong keys from this address; try again later");
            this.retryAfterSeconds = (int) Math.max(1, (waitNanos + 999_999_999) / 1_000_000_000);
        }

        @Override
        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}

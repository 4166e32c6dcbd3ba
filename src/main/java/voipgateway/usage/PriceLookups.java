package voipgateway.usage;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.providers.ProviderAdapters;

/**
 * When a call's price is asked of its provider: after it ended, where its adapter has a price route
 * ({@code direct:<adapter>-price}), then again while the provider has none yet, after each of
 * {@code voip.prices.lookup-delays-seconds} (a provider prices a call minutes after it). Each lookup is a message
 * on the broker ({@code prices.lookups.uri}), scheduled for its time ({@code _AMQ_SCHED_DELIVERY}): nothing waits
 * in memory, and a restart loses none. The message is {@code <callId> <attempt>}.
 */
public class PriceLookups {

    private final ProviderAdapters adapters;
    private final List<Duration> delays;
    private final Clock clock;

    public PriceLookups(ProviderAdapters adapters, List<Duration> delays, Clock clock) {
        this.adapters = adapters;
        this.delays = delays;
        this.clock = clock;
    }

    /** Whether the call (just ended, as stored now) is to be priced by its provider. */
    public boolean wanted(@ExchangeProperty("call") Document call) {
        return call.get(CallPrices.MICROS) == null && call.getString("providerCallId") != null
                && adapters.find(call.getString("provider")).map(adapter -> adapters.offers(adapter, "price"))
                        .orElse(false);
    }

    /** The call's first lookup, as the message to send. */
    public String first(@ExchangeProperty("call") Document call, Message message) {
        return schedule(call.getObjectId("_id"), 1, message);
    }

    /** Reads a lookup: properties {@code callId} and {@code priceAttempt}. */
    public void read(@Body String body, Exchange exchange) {
        String[] parts = body == null ? new String[0] : body.trim().split(" ");
        if (parts.length != 2 || !ObjectId.isValid(parts[0]) || !parts[1].matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("not a price lookup: " + body);
        }
        exchange.setProperty("callId", new ObjectId(parts[0]));
        exchange.setProperty("priceAttempt", Integer.parseInt(parts[1]));
    }

    /** The next lookup of a call the provider has not priced yet, as the message to send; null after the last. */
    public String next(@ExchangeProperty("callId") ObjectId callId, @ExchangeProperty("priceAttempt") int attempt,
            Message message) {
        return attempt >= delays.size() ? null : schedule(callId, attempt + 1, message);
    }

    private String schedule(ObjectId callId, int attempt, Message message) {
        message.removeHeaders("*");
        message.setHeader("_AMQ_SCHED_DELIVERY", clock.millis() + delays.get(attempt - 1).toMillis());
        return callId.toHexString() + " " + attempt;
    }
}

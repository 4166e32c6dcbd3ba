package voipgateway.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Date;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import voipgateway.calls.CallChange;
import voipgateway.calls.CallLifecycle;
import voipgateway.calls.CallVersions;

/**
 * What a call cost, as its provider reported it (Twilio's call {@code price} and {@code price_unit}, Exotel's
 * {@code Price}), possibly minutes after it ended: stored on the call ({@code priceMicros}, millionths of
 * {@code priceCurrency}; a provider's negative charge, as Twilio writes it, is its amount) and, for a call already
 * counted in its day, the difference added to the day's cost. A report of the same price changes nothing.
 */
public class CallPrices {

    public static final String MICROS = "priceMicros";
    public static final String CURRENCY = "priceCurrency";
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal MOST = BigDecimal.valueOf(1_000_000_000L);

    private final CallVersions versions;
    private final CallUsage usage;

    public CallPrices(CallVersions versions, CallUsage usage) {
        this.versions = versions;
        this.usage = usage;
    }

    /** An amount as reported (text, e.g. {@code -0.01300}) in millionths; null when it is not one. */
    static Long micros(String amount) {
        if (amount == null || !amount.trim().matches("-?[0-9]{1,12}(\\.[0-9]{1,12})?")) {
            return null;
        }
        BigDecimal value = new BigDecimal(amount.trim()).abs();
        return value.compareTo(MOST) >= 0 ? null : value.multiply(MILLION).setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
    }

    /** Millionths as the amount they are, e.g. 13000 as 0.013. */
    public static BigDecimal amount(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    }

    /**
     * The bean step after an adapter's price route (properties {@code priceAmount}, {@code priceCurrency}; in
     * {@code call}): stored on the call in one compare-and-set; out {@code priced}, whether the call now has a price.
     */
    public void report(@ExchangeProperty("call") Document call, @ExchangeProperty("priceAmount") String amount,
            @ExchangeProperty("priceCurrency") String currency, Exchange exchange) {
        Long micros = micros(amount);
        String unit = currency == null ? "" : currency.trim().toUpperCase(Locale.ROOT);
        if (micros == null || !unit.matches("[A-Z]{3}")) {
            exchange.setProperty("priced", false);
            return;
        }
        AtomicReference<Document> before = new AtomicReference<>();
        CallChange change = stored -> {
            if (Long.valueOf(micros).equals(stored.get(MICROS) instanceof Number n ? n.longValue() : null)
                    && unit.equals(stored.getString(CURRENCY))) {
                return null;
            }
            before.set(stored);
            return Updates.combine(Updates.set(MICROS, micros), Updates.set(CURRENCY, unit),
                    Updates.set("pricedAt", new Date()));
        };
        CallVersions.Written written = versions.write(call.getObjectId("_id"), call, change);
        if (written.applied() && CallLifecycle.isTerminal(before.get().getString("status"))) {
            // counted when it ended: the day's cost takes what this report changed
            Document was = before.get();
            if (was.get(MICROS) != null && !unit.equals(was.getString(CURRENCY))) {
                usage.repriced(was, was.getString(CURRENCY), -was.get(MICROS, Number.class).longValue());
                usage.repriced(written.call(), unit, micros);
            } else {
                long old = was.get(MICROS) == null ? 0 : was.get(MICROS, Number.class).longValue();
                usage.repriced(written.call(), unit, micros - old);
            }
        }
        exchange.setProperty("call", written.call());
        exchange.setProperty("priced", true);
    }
}

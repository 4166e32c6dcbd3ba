package voipgateway.callbacks;

import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.storage.MongoOutages;

/**
 * Status callbacks that could not be stored when they came (MongoDB down) are kept on the broker and applied
 * from there, in the order they came, once MongoDB is back. While any is waiting, later callbacks of this
 * instance queue up behind it, so they are applied in order too. A deferred event carries what the call needs
 * (never the URL's token: it was checked before the event was kept).
 */
public class DeferredCallbacks {

    private final AtomicLong waiting = new AtomicLong();

    /** Whether callbacks are waiting on the broker: then this one waits behind them. */
    public boolean waiting() {
        return waiting.get() > 0;
    }

    /**
     * Whether the event that just failed is kept for later: MongoDB is out (not a refusal of it), and the event is
     * one that needs nothing more to be applied (a Twilio event needs its account's token to be checked).
     */
    public boolean canKeep(Exchange exchange) {
        StatusEvent event = exchange.getProperty("event", StatusEvent.class);
        return MongoOutages.during(exchange) && event != null && !"Twilio".equals(event.provider());
    }

    /** The event as the broker keeps it (extended JSON keeps dates and numbers as they were). */
    public String keep(@ExchangeProperty("event") StatusEvent event, Message message) {
        waiting.incrementAndGet();
        message.removeHeaders("*");
        message.setHeader("callId", event.urlCallId());
        return new Document("provider", event.provider())
                .append("recordId", event.recordId())
                .append("providerCallId", event.providerCallId())
                .append("status", event.status())
                .append("occurredAt", event.occurredAt() == null ? null : Date.from(event.occurredAt()))
                .append("changes", event.changes())
                .append("payload", event.payload())
                .append("callId", event.urlCallId())
                .toJson();
    }

    /** Keeping it failed (the broker is down too): 503, the provider is told to retry. */
    public void notKept() {
        waiting.decrementAndGet();
        throw new ApiException(503, "storage_unavailable", null, "storage is unavailable; try again later");
    }

    /** The provider's answer once the event is durable: 202, applied later. */
    public Map<String, Object> kept(@ExchangeProperty("event") StatusEvent event, Message message) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return Map.of("received", true, "callId", event.urlCallId(), "deferred", true);
    }

    /** A kept event, back from the broker. */
    public StatusEvent event(@Body String body) {
        Document kept = Document.parse(body);
        Date occurredAt = kept.getDate("occurredAt");
        return new StatusEvent(kept.getString("provider"), kept.getString("recordId"), kept.getString("providerCallId"),
                kept.getString("status"), occurredAt == null ? null : occurredAt.toInstant(),
                kept.get("changes", Document.class), kept.get("payload", Document.class), kept.getString("callId"), null);
    }

    /** Applied (or dead-lettered): one fewer waiting. */
    public void done() {
        if (waiting.get() > 0) {
            waiting.decrementAndGet();
        }
    }
}

package voipgateway.callbacks;

import java.time.Instant;

import org.bson.Document;

/**
 * One provider callback, mapped onto the call lifecycle. {@code recordId} and {@code providerCallId} find the
 * call (our id first); {@code changes} are the call fields this event sets; {@code payload} is what the
 * provider sent, with anything secret removed.
 */
public record StatusEvent(String provider, String recordId, String providerCallId, String status, Instant occurredAt,
        Document changes, Document payload, String urlCallId, String urlToken) {
}

package voipgateway.webhooks;

import java.time.Instant;
import java.util.List;

/**
 * A tenant's webhook endpoint as the service uses it: where to send which events, and the keys that sign them (the
 * newest first; a rotated-out key signs beside it until {@code expiresAt}). Stored in the tenant's
 * {@code webhooks} document, each key encrypted.
 */
public record Webhook(String id, String tenant, String url, List<String> events, String description, boolean enabled,
        String disabledReason, List<Key> keys, Instant createdAt, Instant failingSince) {

    /** Every event a webhook may ask for. */
    public static final List<String> EVENT_TYPES = List.of("call.scheduled", "call.refused", "call.initiated",
            "call.ringing", "call.answered", "call.completed", "call.busy", "call.no_answer", "call.failed",
            "call.canceled", "call.unknown", "call.retry_scheduled", "call.machine_detected", "call.recording_available",
            "campaign.started", "campaign.paused", "campaign.completed", "campaign.canceled");

    /** A signing key: the secret's bytes, and when a rotated-out key stops signing (null: while it is the newest). */
    public record Key(byte[] secret, Instant expiresAt) {
    }

    /** Whether it takes events of this type (null: of any type). */
    public boolean wants(String type) {
        return enabled && (type == null ? !events.isEmpty() : events.contains(type));
    }

    /** The keys that sign now. */
    public List<Key> signingKeys(Instant now) {
        return keys.stream().filter(key -> key.expiresAt() == null || key.expiresAt().isAfter(now)).toList();
    }
}

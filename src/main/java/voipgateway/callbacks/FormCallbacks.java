package voipgateway.callbacks;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Map;

import org.apache.camel.Body;
import org.apache.camel.Header;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.providers.ProviderAdapters;

/**
 * Form-encoded status callbacks, Twilio's style (Twilio, Exotel): the provider's call id, its call status (mapped
 * onto the lifecycle by the adapter's {@code statuses}), the duration in seconds, {@code RecordingUrl} and an
 * RFC 1123 {@code Timestamp}; which form fields hold the first three is the adapter route's to say.
 */
public class FormCallbacks {

    private final ProviderAdapters adapters;

    public FormCallbacks(ProviderAdapters adapters) {
        this.adapters = adapters;
    }

    public StatusEvent parse(String provider, String callIdField, String statusField, String durationField,
            @Body Object body, @Header("call") String urlCallId, @Header("token") String urlToken) {
        if (!(body instanceof Map<?, ?> raw) || raw.isEmpty()) {
            throw ApiException.badRequest("body", "a " + provider + " status callback is a form-encoded body");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> form = (Map<String, Object>) raw;
        String callSid = single(form, callIdField);
        String callStatus = single(form, statusField);
        if (callSid == null) {
            throw ApiException.badRequest(callIdField, callIdField + " is required");
        }
        if (callStatus == null) {
            throw ApiException.badRequest(statusField, statusField + " is required");
        }
        String status = adapters.forStored(provider).lifecycleStatus(callStatus);
        if (status == null) {
            throw ApiException.badRequest(statusField, statusField + " '" + callStatus.replaceAll("[^A-Za-z _-]", "?")
                    + "' is not a known " + provider + " call status");
        }
        Instant occurredAt = timestamp(single(form, "Timestamp"));
        Date when = Date.from(occurredAt == null ? Instant.now() : occurredAt);
        Document changes = new Document();
        if (status.equals("answered")) {
            changes.append("answeredAt", when);
        } else if (!status.equals("initiated") && !status.equals("ringing")) {
            changes.append("endedAt", when).append("endReason", callStatus);
            String duration = single(form, durationField);
            if (duration != null) {
                if (!duration.matches("[0-9]{1,9}")) {
                    throw ApiException.badRequest(durationField, durationField + " must be a whole number of seconds");
                }
                changes.append("durationSeconds", Integer.parseInt(duration));
            }
            String recording = single(form, "RecordingUrl");
            if (recording != null) {
                changes.append("recordingUrl", recording);
            }
        }
        return new StatusEvent(provider, null, callSid, status, occurredAt, changes, Payloads.withoutSecrets(form),
                urlCallId, urlToken);
    }

    private static String single(Map<String, Object> form, String field) {
        Object value = form.get(field);
        if (value instanceof Iterable<?> many) {
            throw ApiException.badRequest(field, field + " is given more than once");
        }
        return value == null || value.toString().isBlank() ? null : value.toString().trim();
    }

    private static Instant timestamp(String value) {
        if (value == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (Exception e) {
            throw ApiException.badRequest("Timestamp", "Timestamp must be an RFC 1123 date");
        }
    }
}

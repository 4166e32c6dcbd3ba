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

/**
 * Twilio-style status callbacks (form-encoded {@code CallSid}, {@code CallStatus}, {@code CallDuration},
 * {@code Timestamp}, {@code SequenceNumber}), so a second provider shares the same lifecycle.
 */
public class TwilioCallbacks {

    private static final Map<String, String> STATUSES = Map.of(
            "queued", "initiated", "initiated", "initiated", "ringing", "ringing", "in-progress", "answered",
            "answered", "answered", "completed", "completed", "busy", "busy", "no-answer", "no-answer",
            "failed", "failed", "canceled", "canceled");

    public StatusEvent parse(@Body Object body, @Header("call") String urlCallId, @Header("token") String urlToken) {
        if (!(body instanceof Map<?, ?> raw) || raw.isEmpty()) {
            throw ApiException.badRequest("body", "a Twilio status callback is a form-encoded body");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> form = (Map<String, Object>) raw;
        String callSid = single(form, "CallSid");
        String callStatus = single(form, "CallStatus");
        if (callSid == null) {
            throw ApiException.badRequest("CallSid", "CallSid is required");
        }
        if (callStatus == null) {
            throw ApiException.badRequest("CallStatus", "CallStatus is required");
        }
        String status = STATUSES.get(callStatus.trim().toLowerCase());
        if (status == null) {
            throw ApiException.badRequest("CallStatus", "CallStatus '" + callStatus.replaceAll("[^A-Za-z _-]", "?")
                    + "' is not a known Twilio call status");
        }
        Instant occurredAt = timestamp(single(form, "Timestamp"));
        Date when = Date.from(occurredAt == null ? Instant.now() : occurredAt);
        Document changes = new Document();
        if (status.equals("answered")) {
            changes.append("answeredAt", when);
        } else if (!status.equals("initiated") && !status.equals("ringing")) {
            changes.append("endedAt", when).append("endReason", callStatus);
            String duration = single(form, "CallDuration");
            if (duration != null) {
                if (!duration.matches("[0-9]{1,9}")) {
                    throw ApiException.badRequest("CallDuration", "CallDuration must be a whole number of seconds");
                }
                changes.append("durationSeconds", Integer.parseInt(duration));
            }
            String recording = single(form, "RecordingUrl");
            if (recording != null) {
                changes.append("recordingUrl", recording);
            }
        }
        return new StatusEvent("Twilio", null, callSid, status, occurredAt, changes, Payloads.withoutSecrets(form),
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

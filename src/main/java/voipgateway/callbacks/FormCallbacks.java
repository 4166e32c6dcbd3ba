package voipgateway.callbacks;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.Json;
import voipgateway.providers.ProviderAdapters;

/**
 * Form-encoded (or flat JSON) status callbacks, Twilio's style (Twilio, Exotel): the provider's call id, its call status (mapped
 * onto the lifecycle by the adapter's {@code statuses}), the duration in seconds, {@code RecordingUrl}, an
 * RFC 1123 {@code Timestamp} and an answering machine detection's {@code AnsweredBy} (mapped by the adapter's
 * {@code machineVerdicts}) with its {@code MachineDetectionDuration} (ms); which form fields hold the first three
 * is the adapter route's to say. A callback without a status (Twilio's asynchronous machine detection result, its
 * recording status callback) is a report: it sets what it carries and leaves the status as it is.
 */
public class FormCallbacks {

    private final ProviderAdapters adapters;

    public FormCallbacks(ProviderAdapters adapters) {
        this.adapters = adapters;
    }

    public StatusEvent parse(String provider, String callIdField, String statusField, String durationField,
            Exchange exchange) {
        return parse(provider, callIdField, statusField, durationField, null, exchange);
    }

    /**
     * The same, the provider's own word on how the call ended in {@code causeField}: a SIP response code (Twilio's
     * {@code SipResponseCode}) or a code of its own (Exotel's {@code DialCallStatus}), mapped by the adapter's
     * {@code causes}.
     */
    public StatusEvent parse(String provider, String callIdField, String statusField, String durationField,
            String causeField, Exchange exchange) {
        Message message = exchange.getMessage();
        String urlCallId = message.getHeader("call", String.class);
        String urlToken = message.getHeader("token", String.class);
        Map<String, Object> form = fields(message);
        if (form == null || form.isEmpty()) {
            throw ApiException.badRequest("body", "a " + provider + " status callback is a form-encoded body or a"
                    + " JSON object");
        }
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
            String cause = causeField == null ? null : single(form, causeField);
            boolean sip = cause != null && cause.matches("[1-6][0-9]{2}");
            CallEndings.append(changes, adapters.forStored(provider), status,
                    sip || cause == null ? null : Payloads.cut(cause.replaceAll("[^A-Za-z0-9 _-]", "?"), 40), callStatus,
                    sip ? cause : null);
            recording(form, changes);
        }
        machineVerdict(provider, form, changes);
        return new StatusEvent(provider, null, callSid, status, occurredAt, changes, Payloads.withoutSecrets(form),
                urlCallId, urlToken);
    }

    /** A callback that reports on the call without a status of its own: a machine detection's verdict. */
    public StatusEvent report(String provider, String callIdField, Exchange exchange) {
        Message message = exchange.getMessage();
        Map<String, Object> form = fields(message);
        String callSid = form == null ? null : single(form, callIdField);
        if (callSid == null) {
            throw ApiException.badRequest(callIdField, callIdField + " is required");
        }
        Document changes = new Document();
        machineVerdict(provider, form, changes);
        String recordingStatus = single(form, "RecordingStatus");
        if (recordingStatus == null && changes.isEmpty()) {
            throw ApiException.badRequest("CallStatus", "a " + provider + " callback carries CallStatus, AnsweredBy or"
                    + " RecordingStatus");
        }
        if ("completed".equals(recordingStatus)) {
            // a recording's other states (in-progress, absent, failed) are kept in the call's history only
            recording(form, changes);
        }
        return new StatusEvent(provider, null, callSid, null, timestamp(single(form, "Timestamp")), changes,
                Payloads.withoutSecrets(form), message.getHeader("call", String.class),
                message.getHeader("token", String.class));
    }

    /** {@code RecordingUrl}, where the recording is (never shown), and its {@code RecordingDuration} in seconds. */
    private static void recording(Map<String, Object> form, Document changes) {
        String url = single(form, "RecordingUrl");
        if (url == null) {
            return;
        }
        changes.append("recordingUrl", url);
        String seconds = single(form, "RecordingDuration");
        if (seconds != null && seconds.matches("[0-9]{1,9}")) {
            changes.append("recordingSeconds", Integer.parseInt(seconds));
        }
    }

    /** {@code AnsweredBy}: the verdict, the provider's word and how long detection took (ms), when reported. */
    private void machineVerdict(String provider, Map<String, Object> form, Document changes) {
        String answeredBy = single(form, "AnsweredBy");
        if (answeredBy == null) {
            return;
        }
        changes.append("machineVerdict", adapters.forStored(provider).verdict(answeredBy))
                .append("answeredBy", Payloads.cut(answeredBy.replaceAll("[^A-Za-z0-9_-]", "?"), 40));
        String took = single(form, "MachineDetectionDuration");
        if (took != null && took.matches("[0-9]{1,9}")) {
            changes.append("machineDetectionMs", Integer.parseInt(took));
        }
    }

    /** A form (platform-http's map of it) or a JSON object's fields; null for anything else. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(Message message) {
        if (message.getBody() instanceof Map<?, ?> form) {
            return (Map<String, Object>) form;
        }
        String text = message.getBody(String.class);
        if (text == null) {
            return null;
        }
        try {
            JsonNode json = Json.MAPPER.readTree(text);
            return json != null && json.isObject() ? Json.MAPPER.convertValue(json, Map.class) : null;
        } catch (Exception e) {
            return null;
        }
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

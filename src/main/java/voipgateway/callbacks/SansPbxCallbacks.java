package voipgateway.callbacks;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.Json;
import voipgateway.providers.ProviderAdapters;

/**
 * SansPBX's post-call status callback: JSON with {@code Linkedid} (the dialcall's call id), {@code disposition},
 * {@code duration}, {@code billsec}, {@code start_time}, {@code end_time}, {@code cause_txt}, {@code recfile}
 * and the {@code custom_field} it was given ({@code record_id}: our call id).
 */
public class SansPbxCallbacks {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private final ZoneId accountZone;
    private final ProviderAdapters adapters;

    public SansPbxCallbacks(ZoneId accountZone, ProviderAdapters adapters) {
        this.accountZone = accountZone;
        this.adapters = adapters;
    }

    public StatusEvent parse(@Body String body, @Header("call") String urlCallId, @Header("token") String urlToken) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        } catch (Exception e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw ApiException.badRequest("body", "a SansPBX status callback is a JSON object");
        }
        String disposition = text(json, "disposition");
        if (disposition == null) {
            throw ApiException.badRequest("disposition", "disposition is required");
        }
        // the dispositions are mapped by the SansPBX adapter (routes/providers/sanspbx.yaml, statuses)
        String status = adapters.forStored("SansPBX").lifecycleStatus(disposition.trim());
        if (status == null) {
            throw ApiException.badRequest("disposition", "disposition '" + disposition.replaceAll("[^A-Za-z _-]", "?")
                    + "' is not a known SansPBX disposition");
        }
        String recordId = text(json.path("custom_field"), "record_id");
        String linkedId = text(json, "Linkedid");
        if (recordId == null && linkedId == null) {
            throw ApiException.badRequest("Linkedid", "Linkedid or custom_field.record_id is required");
        }
        Instant endedAt = time(json, "end_time");
        Integer duration = seconds(json, "duration");
        Integer billsec = seconds(json, "billsec");
        Document changes = new Document("endedAt", java.util.Date.from(endedAt == null ? Instant.now() : endedAt));
        if (duration != null) {
            changes.append("durationSeconds", duration);
        }
        if (billsec != null) {
            changes.append("billSeconds", billsec);
            if (billsec > 0 && endedAt != null) {
                changes.append("answeredAt", java.util.Date.from(endedAt.minusSeconds(billsec)));
            }
        }
        putIfPresent(changes, "recordingUrl", text(json, "recfile"));
        putIfPresent(changes, "endReason", text(json, "cause_txt") != null ? text(json, "cause_txt") : disposition);
        // the Asterisk-style Q.850 cause (16 normal clearing, 17 busy, 19 no answer, 21 rejected, 1 unallocated)
        String cause = text(json, "cause");
        CallEndings.append(changes, adapters.forStored("SansPBX"), status,
                cause != null && cause.matches("[0-9]{1,3}") ? cause : null, text(json, "cause_txt"), null);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = Json.MAPPER.convertValue(json, Map.class);
        return new StatusEvent("SansPBX", recordId, linkedId, status, endedAt, changes,
                Payloads.withoutSecrets(fields), urlCallId, urlToken);
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node != null && node.isValueNode() && !node.asText().isBlank() ? node.asText().trim() : null;
    }

    private static Integer seconds(JsonNode json, String field) {
        String value = text(json, field);
        if (value == null) {
            return null;
        }
        if (!value.matches("[0-9]{1,9}")) {
            throw ApiException.badRequest(field, field + " must be a whole number of seconds");
        }
        return Integer.parseInt(value);
    }

    private Instant time(JsonNode json, String field) {
        String value = text(json, field);
        if (value == null) {
            return null;
        }
        try {
            return LocalDateTime.parse(value, TIME).atZone(accountZone).toInstant();
        } catch (Exception e) {
            throw ApiException.badRequest(field, field + " must be a time as yyyy-MM-dd HH:mm:ss");
        }
    }

    private static void putIfPresent(Document document, String field, Object value) {
        if (value != null) {
            document.append(field, value);
        }
    }
}

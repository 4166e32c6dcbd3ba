package voipgateway.compliance;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.TimeZones;
import voipgateway.calls.OutboundCallRequest;

/**
 * A tenant's calling rules: the callee's zone when a request names none, and each call purpose's window (none:
 * any hour). The service's defaults (voip.calling-*) apply to what a tenant has not set.
 */
public record CallingRules(ZoneId timeZone, Map<String, CallingWindow> windows, Retries retries,
        boolean numberSeries) {

    /** The outcomes a call may be dialled again after: never after completed, a refusal or a do-not-call hit. */
    public static final List<String> RETRYABLE = List.of("busy", "no-answer", "machine");

    /**
     * What a call's end counts as for retries: its status ({@code busy}, {@code no-answer}, ...), except that a call
     * answered by a machine (its {@code outcome}) is {@code machine}, a class of its own.
     */
    public static String retryClass(String status, String outcome) {
        return "machine".equals(outcome) ? "machine" : status;
    }

    /** Dial a lead again after these outcomes, this much later, at most this many attempts a day in all. */
    public record Retries(List<String> on, long delaySeconds, int maxAttemptsPerDay) {
        public static final Retries NONE = new Retries(List.of(), 0, 1);

        static Retries of(Document stored) {
            return new Retries(stored.getList("on", String.class, List.of()), stored.get("delaySeconds", 1800L),
                    stored.getInteger("maxAttemptsPerDay", 1));
        }
    }

    public CallingWindow window(String purpose) {
        return windows.get(purpose);
    }

    /** The tenant's stored rules ({@code tenants.callingRules}) over these defaults. */
    public CallingRules over(Document stored) {
        if (stored == null) {
            return this;
        }
        ZoneId zone = stored.getString("timeZone") != null ? ZoneId.of(stored.getString("timeZone")) : timeZone;
        Map<String, CallingWindow> merged = new LinkedHashMap<>(windows);
        Document set = stored.get("windows", Document.class);
        if (set != null) {
            set.forEach((purpose, window) -> merged.put(purpose, CallingWindow.parse((String) window)));
        }
        Document retry = stored.get("retries", Document.class);
        return new CallingRules(zone, merged, retry == null ? retries : Retries.of(retry),
                stored.getBoolean("numberSeries", numberSeries));
    }

    /**
     * {@code PUT /calling-rules {"timeZone"?, "windows"?: {"promotional": "09:00-21:00", "service": null}}}: what a
     * tenant sets, checked, as stored (a window of null or "" is "any hour").
     */
    public static Document parse(Map<String, Object> body) {
        Document stored = new Document();
        for (String field : body.keySet()) {
            if (!List.of("timeZone", "windows", "retries", "numberSeries").contains(field)) {
                throw ApiException.badRequest(field, "unknown field '" + field + "'");
            }
        }
        Object zone = body.get("timeZone");
        if (zone != null) {
            stored.append("timeZone", TimeZones.parse(zone.toString(), "timeZone").getId());
        }
        if (body.get("windows") instanceof Map<?, ?> windows) {
            Document set = new Document();
            windows.forEach((purpose, window) -> {
                String field = "windows." + purpose;
                if (!OutboundCallRequest.PURPOSES.contains(purpose.toString())) {
                    throw ApiException.badRequest(field, "purpose must be one of " + OutboundCallRequest.PURPOSES);
                }
                if (window != null && !(window instanceof String)) {
                    throw ApiException.badRequest(field, field + " must be \"HH:mm-HH:mm\" or null");
                }
                try {
                    CallingWindow parsed = CallingWindow.parse((String) window);
                    set.append(purpose.toString(), parsed == null ? "" : parsed.toString());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(field, field + ": " + e.getMessage());
                }
            });
            stored.append("windows", set);
        } else if (body.containsKey("windows")) {
            throw ApiException.badRequest("windows", "windows must be an object of purpose to \"HH:mm-HH:mm\"");
        }
        if (body.containsKey("numberSeries")) {
            if (!(body.get("numberSeries") instanceof Boolean on)) {
                throw ApiException.badRequest("numberSeries", "numberSeries must be true or false");
            }
            stored.append("numberSeries", on);
        }
        if (body.get("retries") instanceof Map<?, ?> retry) {
            stored.append("retries", retries(retry));
        } else if (body.containsKey("retries")) {
            throw ApiException.badRequest("retries", "retries must be {on, delaySeconds, maxAttemptsPerDay}");
        }
        return stored;
    }

    private static Document retries(Map<?, ?> retry) {
        for (Object field : retry.keySet()) {
            if (!List.of("on", "delaySeconds", "maxAttemptsPerDay").contains(field.toString())) {
                throw ApiException.badRequest("retries." + field, "unknown field 'retries." + field + "'");
            }
        }
        if (!(retry.get("on") instanceof List<?> on) || !RETRYABLE.containsAll(on)) {
            throw ApiException.badRequest("retries.on", "retries.on must be a list of " + RETRYABLE);
        }
        if (!(retry.get("delaySeconds") instanceof Number delay) || delay.longValue() < 60
                || delay.longValue() > 86_400) {
            throw ApiException.badRequest("retries.delaySeconds", "retries.delaySeconds must be 60 to 86400");
        }
        if (!(retry.get("maxAttemptsPerDay") instanceof Number max) || max.intValue() < 1 || max.intValue() > 10) {
            throw ApiException.badRequest("retries.maxAttemptsPerDay", "retries.maxAttemptsPerDay must be 1 to 10");
        }
        return new Document("on", on).append("delaySeconds", delay.longValue())
                .append("maxAttemptsPerDay", max.intValue());
    }

    public Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("timeZone", timeZone.getId());
        Map<String, Object> shown = new LinkedHashMap<>();
        OutboundCallRequest.PURPOSES.forEach(purpose -> shown.put(purpose, windows.get(purpose) == null ? null
                : windows.get(purpose).toString()));
        view.put("windows", shown);
        view.put("retries", Map.of("on", retries.on(), "delaySeconds", retries.delaySeconds(),
                "maxAttemptsPerDay", retries.maxAttemptsPerDay()));
        view.put("numberSeries", numberSeries);
        return view;
    }
}

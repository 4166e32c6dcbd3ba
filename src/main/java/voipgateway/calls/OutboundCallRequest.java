package voipgateway.calls;

import java.time.ZoneId;
import java.util.List;
import java.util.Set;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;
import voipgateway.api.TimeZones;

/**
 * A validated {@code POST /calls/outbound} body; {@code callTo} is the lead's number as SansPBX dials it.
 * {@code purpose} (promotional, the default; service; transactional) picks the calling window; {@code schedule}
 * asks for a call outside it to be placed when it opens rather than refused; {@code calleeTimeZone} is the
 * callee's zone when it is not the tenant's; {@code machineDetection} ({@code off} or {@code detect}; null: the
 * agent's) asks the provider to tell a machine from a person, {@code record} to record the call (see
 * {@link ProviderFeatures}).
 */
public record OutboundCallRequest(String agentId, String leadId, String toPhone, String callTo, String purpose,
        boolean schedule, ZoneId calleeTimeZone, String machineDetection, boolean record) {

    public OutboundCallRequest(String agentId, String leadId, String toPhone, String callTo, String purpose,
            boolean schedule, ZoneId calleeTimeZone) {
        this(agentId, leadId, toPhone, callTo, purpose, schedule, calleeTimeZone, null, false);
    }

    /** What a call is for, which picks its calling window. */
    public static final List<String> PURPOSES = List.of("promotional", "service", "transactional");
    private static final Set<String> FIELDS = Set.of("agentId", "leadId", "toPhone", "purpose", "schedule",
            "calleeTimeZone", ProviderFeatures.MACHINE_DETECTION, ProviderFeatures.RECORD);

    public static OutboundCallRequest parse(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType) {
        JsonRequest json = JsonRequest.parse(body, contentType, FIELDS);
        return of(json, json.flag("schedule"));
    }

    /** The call fields of a request read elsewhere (a queue message carries more, and is always scheduled). */
    public static OutboundCallRequest of(JsonRequest json, boolean schedule) {
        String agentId = json.id("agentId");
        String leadId = json.id("leadId");
        String toPhone = json.text("toPhone").trim();
        String purpose = json.has("purpose") ? json.text("purpose").trim() : "promotional";
        if (!PURPOSES.contains(purpose)) {
            throw ApiException.badRequest("purpose", "purpose must be one of " + PURPOSES);
        }
        ZoneId zone = json.has("calleeTimeZone")
                ? TimeZones.parse(json.text("calleeTimeZone").trim(), "calleeTimeZone") : null;
        return new OutboundCallRequest(agentId, leadId, toPhone, IndianPhoneNumbers.callTo(toPhone, "toPhone"),
                purpose, schedule, zone, ProviderFeatures.mode(json), json.flag(ProviderFeatures.RECORD));
    }

    public OutboundCallRequest withMachineDetection(String mode) {
        return new OutboundCallRequest(agentId, leadId, toPhone, callTo, purpose, schedule, calleeTimeZone, mode,
                record);
    }
}

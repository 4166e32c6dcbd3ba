package voipgateway.calls;

import java.util.Set;

import voipgateway.api.JsonRequest;

/** A validated {@code POST /calls/outbound} body; {@code callTo} is the lead's number as SansPBX dials it. */
public record OutboundCallRequest(String agentId, String leadId, String toPhone, String callTo) {

    private static final Set<String> FIELDS = Set.of("agentId", "leadId", "toPhone");

    public static OutboundCallRequest parse(String body) {
        JsonRequest json = JsonRequest.parse(body, FIELDS);
        String agentId = json.id("agentId");
        String leadId = json.id("leadId");
        String toPhone = json.text("toPhone").trim();
        return new OutboundCallRequest(agentId, leadId, toPhone, IndianPhoneNumbers.callTo(toPhone, "toPhone"));
    }
}

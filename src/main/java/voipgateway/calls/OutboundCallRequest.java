package voipgateway.calls;

import java.util.Set;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import voipgateway.api.JsonRequest;

/** A validated {@code POST /calls/outbound} body; {@code callTo} is the lead's number as SansPBX dials it. */
public record OutboundCallRequest(String agentId, String leadId, String toPhone, String callTo) {

    private static final Set<String> FIELDS = Set.of("agentId", "leadId", "toPhone");

    public static OutboundCallRequest parse(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType) {
        return of(JsonRequest.parse(body, contentType, FIELDS));
    }

    /** The call fields of a request read elsewhere (a queue message carries more). */
    public static OutboundCallRequest of(JsonRequest json) {
        String agentId = json.id("agentId");
        String leadId = json.id("leadId");
        String toPhone = json.text("toPhone").trim();
        return new OutboundCallRequest(agentId, leadId, toPhone, IndianPhoneNumbers.callTo(toPhone, "toPhone"));
    }
}

package voipgateway.queue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.ErrorResponses;
import voipgateway.api.Ids;
import voipgateway.api.Json;
import voipgateway.api.JsonRequest;
import voipgateway.calls.DialLedger;
import voipgateway.calls.OutboundCallRequest;

/**
 * Call requests from the integration bus: JSON {requestId, agentId, leadId, toPhone, tenantId?, metadata?} (on a
 * tenant's own queue, property {@code queueTenant}, the tenant is the queue's), and
 * the outcome published for each: {tenantId, requestId, callId, status, providerCallId | error}.
 */
public class QueuedCalls {

    private static final Set<String> FIELDS = Set.of("requestId", "agentId", "leadId", "toPhone", "tenantId", "metadata",
            "purpose", "calleeTimeZone", "machineDetection", "record");

    /** The request; its ledger key is the requestId, else the broker's message id. */
    public OutboundCallRequest parse(@Body String body, Exchange exchange) {
        JsonRequest json = JsonRequest.parse(body, "application/json", FIELDS);
        String requestId = json.optionalId("requestId");
        String tenant = json.optionalId("tenantId");
        String queueTenant = exchange.getProperty("queueTenant", String.class);
        if (queueTenant != null) {
            // a tenant's own queue: its messages place calls for that tenant only
            if (tenant != null && !tenant.equals(queueTenant)) {
                throw ApiException.badRequest("tenantId", "tenantId names another tenant than the queue's");
            }
            tenant = queueTenant;
        }
        String messageId = exchange.getMessage().getHeader("JMSMessageID", String.class);
        if (requestId == null && messageId == null) {
            throw ApiException.badRequest("requestId", "requestId is required when the message has no id");
        }
        exchange.setProperty("requestId", requestId);
        exchange.setProperty("dialKey", requestId != null ? requestId : "msg-" + messageId);
        exchange.setProperty("tenantId", tenant != null ? tenant : DialLedger.DEFAULT_TENANT);
        // a redelivery will come: a failure before the dial only releases the entry
        exchange.setProperty("retryable", true);
        // outside its calling window, a queued request waits for it (scheduled), never refused
        return OutboundCallRequest.of(json, true);
    }

    /** The outcome event, from the answer the ledger stored for the call. */
    public Map<String, Object> outcome(@ExchangeProperty("requestId") String requestId,
            @ExchangeProperty("tenantId") String tenantId, @ExchangeProperty("storedResponse") Document response,
            Message message) throws Exception {
        JsonNode body = Json.MAPPER.readTree(response.getString("body"));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("tenantId", tenantId);
        event.put("requestId", requestId);
        event.put("callId", body.path("id").asText(null));
        event.put("status", body.path("status").asText("failed"));
        if (body.hasNonNull("reason")) {
            event.put("reason", body.get("reason").asText());
        }
        if (body.hasNonNull("scheduledFor")) {
            event.put("scheduledFor", body.get("scheduledFor").asText());
        }
        if (body.hasNonNull("providerCallId")) {
            event.put("providerCallId", body.get("providerCallId").asText());
        } else if (body.hasNonNull("message")) {
            event.put("error", body.get("message").asText());
        }
        message.removeHeaders("*");
        if (event.get("callId") != null) {
            // on Kafka, the record's key: a call's events go to one partition, in order (a JMS message drops it)
            message.setHeader(KafkaConstants.KEY, event.get("callId"));
        }
        return event;
    }

    /**
     * A message that can never succeed, as the dead-letter queue gets it: the original body untouched (so it can be
     * fixed and sent again), and why in headers {@code reason}, {@code error}, {@code field}, {@code requestId}.
     */
    public void deadLetter(Exchange exchange) {
        ApiException failure = ErrorResponses.toApiException(exchange.getProperty(Exchange.EXCEPTION_CAUGHT,
                Throwable.class));
        String requestId = exchange.getProperty("requestId", String.class);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader("reason", failure.getMessage());
        message.setHeader("error", failure.error());
        if (failure.field() != null) {
            message.setHeader("field", failure.field());
        }
        if (Ids.isValid(requestId)) {
            message.setHeader("requestId", requestId);
        }
    }
}

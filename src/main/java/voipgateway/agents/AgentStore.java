package voipgateway.agents;

import java.util.Date;
import java.util.Set;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;
import voipgateway.storage.MongoRequests;

/** Agents in {@code agents}, keyed by tenant and the voice platform's own agent id; created on first use. */
public class AgentStore {

    private static final Set<String> ASSIGN_FIELDS = Set.of("agentId", "voiceUrl");

    /**
     * The {@code {"agentId", "voiceUrl"?}} body of an assignment: the agent, and its own voice webhook (property
     * {@code voiceUrl}; null = the service's voip.voice-url).
     */
    public String agentIdOf(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType, Exchange exchange) {
        JsonRequest json = JsonRequest.parse(body, contentType, ASSIGN_FIELDS);
        exchange.setProperty("voiceUrl", json.optionalUrl("voiceUrl"));
        return json.id("agentId");
    }

    public void upsert(@ExchangeProperty("agentId") String agentId, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        Date now = new Date();
        MongoRequests.update(message, Filters.eq("_id", key(tenant, agentId)), Updates.combine(
                Updates.set("userId", tenant), Updates.set("agentId", agentId), Updates.set("updatedAt", now),
                Updates.setOnInsert("createdAt", now)), true);
    }

    public void queryById(@ExchangeProperty("agentId") String agentId, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        MongoRequests.query(message, Filters.eq("_id", key(tenant, agentId)));
    }

    /** Agent ids are the platform's own, unique within a tenant. */
    private static String key(String tenant, String agentId) {
        return tenant + "/" + agentId;
    }

    /** The agent has no DID: 404, saying whether the agent is unknown or just without a number. */
    public void failWithoutLine(Document agent, @ExchangeProperty("agentId") String agentId) {
        if (agent == null) {
            throw ApiException.notFound("agentId", "agent '" + agentId + "' does not exist; assign it a number first");
        }
        throw ApiException.notFound("agentId", "No VOIP provider assigned to this agent");
    }
}

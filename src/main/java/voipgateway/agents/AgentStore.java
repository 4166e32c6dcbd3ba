package voipgateway.agents;

import java.util.Date;
import java.util.Set;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;
import voipgateway.providers.ProviderAdapter;
import voipgateway.storage.Collections;
import voipgateway.storage.MongoRequests;

/** Agents in {@code agents}, keyed by tenant and the voice platform's own agent id; created on first use. */
public class AgentStore {

    /** The agent's field naming the DID (voipnumbers _id) it calls from. */
    public static final String LINE = "numberId";

    private static final Set<String> ASSIGN_FIELDS = Set.of("agentId", "voiceUrl", "machineDetection");

    /**
     * The {@code {"agentId", "voiceUrl"?, "machineDetection"?}} body of an assignment: the agent, its own voice
     * webhook (property {@code voiceUrl}; null = the service's voip.voice-url) and whether its calls detect answering
     * machines by default (property {@code machineDetection}; null = off).
     */
    public String agentIdOf(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType, Exchange exchange) {
        JsonRequest json = JsonRequest.parse(body, contentType, ASSIGN_FIELDS);
        exchange.setProperty("voiceUrl", json.optionalUrl("voiceUrl"));
        exchange.setProperty("machineDetection", json.optionalChoice("machineDetection",
                ProviderAdapter.DETECTION_MODES));
        return json.id("agentId");
    }

    /**
     * The agent's line is now this number: written on the agent (so a dial finds it by {@code _id}), answering
     * the agent as it was before (its previous line, if any, is released next).
     */
    public void assignLine(@ExchangeProperty("agentId") String agentId, @ExchangeProperty("tenantId") String tenant,
            @ExchangeProperty("number") Document number, Message message) {
        Date now = new Date();
        MongoRequests.update(message, Filters.eq("_id", key(tenant, agentId)), Updates.combine(
                Updates.set("userId", tenant), Updates.set("agentId", agentId),
                Updates.set(LINE, number.getObjectId("_id")), Updates.set("updatedAt", now),
                Updates.setOnInsert("createdAt", now)), true, ReturnDocument.BEFORE);
    }

    /** The line the agent held before this assignment (property {@code previousLine}), unless it is this one. */
    public ObjectId previousLine(Document before, @ExchangeProperty("number") Document number) {
        ObjectId previous = before == null ? null : before.getObjectId(LINE);
        return number.getObjectId("_id").equals(previous) ? null : previous;
    }

    public void queryById(@ExchangeProperty("agentId") String agentId, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        MongoRequests.query(message, Filters.eq("_id", key(tenant, agentId)));
    }

    /** Agent ids are the platform's own, unique within a tenant. */
    public static String key(String tenant, String agentId) {
        return tenant + "/" + agentId;
    }

    /** The agent with a line (404 otherwise, saying whether the agent is unknown or just without a number). */
    public Document requireLine(Document agent, @ExchangeProperty("agentId") String agentId) {
        if (agent == null) {
            throw ApiException.notFound("agentId", "agent '" + agentId + "' does not exist; assign it a number first");
        }
        if (agent.getObjectId(LINE) == null) {
            throw withoutLine();
        }
        return agent;
    }

    public static ApiException withoutLine() {
        return ApiException.notFound("agentId", "No VOIP provider assigned to this agent");
    }

    /**
     * Data stored before an agent's document named its line: each assigned number is written on its agent (a pass
     * over the numbers, for agents without a line). Runs once per database (recorded in {@code migrations}); two
     * instances starting at once may both run it, which is harmless (it only fills gaps).
     */
    public static void migrateLines(MongoDatabase db) {
        Collections.once(db, "agent-lines", () -> {
            MongoCollection<Document> agents = db.getCollection(Collections.AGENTS);
            for (Document number : db.getCollection(Collections.NUMBERS).find(Filters.ne("assignedAgentId", null))) {
                String tenant = number.getString("userId");
                String agentId = number.getString("assignedAgentId");
                String key = key(tenant, agentId);
                Document agent = agents.find(Filters.eq("_id", key)).first();
                if (agent == null || agent.get(LINE) == null) {
                    agents.updateOne(Filters.eq("_id", key), Updates.combine(
                            Updates.set(LINE, number.getObjectId("_id")), Updates.set("userId", tenant),
                            Updates.set("agentId", agentId), Updates.setOnInsert("createdAt", new Date())),
                            new UpdateOptions().upsert(true));
                }
            }
        });
    }
}

package voipgateway.numbers;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.api.Ids;
import voipgateway.providers.ProviderRegistration;
import voipgateway.storage.MongoRequests;

/**
 * DIDs in {@code voipnumbers}: imported from a provider account, held by at most one agent at a time.
 * The number document is the one place an assignment is recorded, so it can never disagree with itself.
 */
public class NumberStore {

    /** SansPBX is an Indian PBX: its DIDs are Indian numbers. */
    private static final String REGION = "India";
    private static final String COUNTRY = "IN";

    public void queryByDid(@ExchangeProperty("registration") ProviderRegistration registration, Message message) {
        MongoRequests.query(message, Filters.eq("phoneNumber", registration.did()));
    }

    /** A DID already imported by another provider account cannot be taken over silently. */
    public void requireDidFree(@ExchangeProperty("existingProvider") Document existingProvider,
            @ExchangeProperty("existingNumber") Document existingNumber) {
        if (existingNumber == null) {
            return;
        }
        Object holder = existingNumber.get("providerId");
        if (existingProvider == null || !existingProvider.get("_id").equals(holder)) {
            throw ApiException.conflict("did", "DID " + existingNumber.getString("phoneNumber")
                    + " already belongs to another provider account");
        }
    }

    public void importDid(@ExchangeProperty("registration") ProviderRegistration registration,
            @ExchangeProperty("provider") Document provider, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        Date now = new Date();
        String did = registration.did();
        MongoRequests.update(message, Filters.eq("phoneNumber", did), Updates.combine(
                Updates.set("userId", tenant),
                Updates.set("providerId", provider.getObjectId("_id")),
                Updates.set("provider", registration.provider()),
                Updates.set("friendlyName", registration.provider() + " DID " + did),
                Updates.set("region", REGION),
                Updates.set("country", COUNTRY),
                Updates.set("status", "active"),
                Updates.set("updatedAt", now),
                Updates.setOnInsert("createdAt", now)), true);
    }

    /**
     * Gives the number to the agent, unless another agent holds it. The agent's voice webhook is kept on the
     * number, so a dial finds it in the one read of the agent's line.
     */
    public void claim(@Header("numberId") String numberId, @ExchangeProperty("agentId") String agentId,
            @ExchangeProperty("voiceUrl") String voiceUrl, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        ObjectId id = Ids.objectId(numberId, "numberId", "number");
        MongoRequests.update(message,
                Filters.and(Filters.eq("_id", id), Filters.eq("userId", tenant), Filters.eq("status", "active"),
                        Filters.or(Filters.eq("assignedAgentId", null), Filters.eq("assignedAgentId", agentId))),
                Updates.combine(Updates.set("assignedAgentId", agentId), Updates.set("assignedAt", new Date()),
                        voiceUrl == null ? Updates.unset("assignedVoiceUrl") : Updates.set("assignedVoiceUrl", voiceUrl)),
                false);
    }

    /** An agent calls from one DID: the numbers it held before are released. */
    public void releaseOthers(@ExchangeProperty("agentId") String agentId,
            @ExchangeProperty("number") Document number, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        MongoRequests.updateMany(message, Filters.and(Filters.eq("userId", tenant), Filters.eq("assignedAgentId", agentId),
                Filters.ne("_id", number.getObjectId("_id"))),
                unassigned());
    }

    public void release(@Header("numberId") String numberId, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        ObjectId id = Ids.objectId(numberId, "numberId", "number");
        MongoRequests.update(message, Filters.and(Filters.eq("_id", id), Filters.eq("userId", tenant)),
                unassigned(), false);
    }

    private static Bson unassigned() {
        return Updates.combine(Updates.unset("assignedAgentId"), Updates.unset("assignedAt"),
                Updates.unset("assignedVoiceUrl"));
    }

    public void queryById(@Header("numberId") String numberId, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        MongoRequests.query(message, Filters.and(Filters.eq("_id", Ids.objectId(numberId, "numberId", "number")),
                Filters.eq("userId", tenant)));
    }

    /** Why a claim matched nothing: the number does not exist (404), or another agent holds it (409). */
    public void explainUnclaimed(@Header("numberId") String numberId, @ExchangeProperty("existingNumber") Document number) {
        if (number == null) {
            throw ApiException.notFound("numberId", "number '" + Ids.safe(numberId) + "' does not exist");
        }
        if (!"active".equals(number.getString("status"))) {
            throw ApiException.conflict("numberId", "number '" + numberId + "' is not active");
        }
        throw ApiException.conflict("numberId", "number '" + numberId + "' is assigned to another agent;"
                + " release it first (DELETE /voip/assign-number/" + numberId + ")");
    }

    public void queryAssignedTo(@ExchangeProperty("agentId") String agentId, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        MongoRequests.query(message, Filters.and(Filters.eq("userId", tenant), Filters.eq("assignedAgentId", agentId),
                Filters.eq("status", "active")));
    }

    /** The tenant's own numbers. */
    public void queryMine(@ExchangeProperty("tenantId") String tenant, Message message) {
        MongoRequests.query(message, Filters.eq("userId", tenant));
    }

    public Map<String, Object> assigned(@ExchangeProperty("number") Document number,
            @ExchangeProperty("agentId") String agentId) {
        return Map.of("success", true, "message", "Number assigned to agent " + agentId, "number", view(number));
    }

    public Map<String, Object> released(@ExchangeProperty("number") Document number) {
        return Map.of("success", true, "message", "Number released", "number", view(number));
    }

    public List<Map<String, Object>> views(List<Document> numbers) {
        return numbers.stream().map(NumberStore::view).toList();
    }

    public static Map<String, Object> view(Document number) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", number.getObjectId("_id").toHexString());
        view.put("number", number.getString("phoneNumber"));
        view.put("friendlyName", number.getString("friendlyName"));
        view.put("region", number.getString("region"));
        view.put("country", number.getString("country"));
        view.put("provider", number.getString("provider"));
        view.put("providerId", number.getObjectId("providerId").toHexString());
        view.put("status", number.getString("status"));
        view.put("assignedAgentId", number.getString("assignedAgentId"));
        if (number.getString("assignedVoiceUrl") != null) {
            view.put("voiceUrl", number.getString("assignedVoiceUrl"));
        }
        return view;
    }
}

package voipgateway.numbers;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import voipgateway.agents.AgentStore;
import voipgateway.api.ApiException;
import voipgateway.api.Ids;
import voipgateway.providers.ProviderRegistration;
import voipgateway.providers.ProviderStore;
import voipgateway.storage.Collections;
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
     * Gives the free number to the agent: a compare-and-set on {@code {_id, userId, assignedAgentId: null}}, which
     * a unique index answers. The agent's voice webhook is kept on the number, so a dial finds it with the line.
     */
    public void claim(@Header("numberId") String numberId, @ExchangeProperty("agentId") String agentId,
            @ExchangeProperty("voiceUrl") String voiceUrl, @ExchangeProperty("machineDetection") String detection,
            @ExchangeProperty("tenantId") String tenant, Message message) {
        assign(Ids.objectId(numberId, "numberId", "number"), tenant, null, agentId, voiceUrl, detection, message);
    }

    /** The agent holds the number already: assigned again (its voice webhook may change). */
    public void claimAgain(@Header("numberId") String numberId, @ExchangeProperty("agentId") String agentId,
            @ExchangeProperty("voiceUrl") String voiceUrl, @ExchangeProperty("machineDetection") String detection,
            @ExchangeProperty("tenantId") String tenant, Message message) {
        assign(Ids.objectId(numberId, "numberId", "number"), tenant, agentId, agentId, voiceUrl, detection, message);
    }

    private static void assign(ObjectId id, String tenant, String holder, String agentId, String voiceUrl,
            String detection, Message message) {
        MongoRequests.update(message, MongoRequests.match("_id", id, "userId", tenant, "assignedAgentId", holder),
                Updates.combine(Updates.set("assignedAgentId", agentId), Updates.set("assignedAt", new Date()),
                        voiceUrl == null ? Updates.unset("assignedVoiceUrl") : Updates.set("assignedVoiceUrl", voiceUrl),
                        detection == null ? Updates.unset("assignedMachineDetection")
                                : Updates.set("assignedMachineDetection", detection)),
                false);
    }

    /** An agent calls from one DID: the one it held before (property {@code previousLine}) is released. */
    public void releasePrevious(@ExchangeProperty("previousLine") ObjectId previous,
            @ExchangeProperty("agentId") String agentId, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        MongoRequests.update(message, MongoRequests.match("_id", previous, "userId", tenant, "assignedAgentId", agentId),
                unassigned(), false);
    }

    public void release(@Header("numberId") String numberId, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        ObjectId id = Ids.objectId(numberId, "numberId", "number");
        MongoRequests.update(message, MongoRequests.match("_id", id, "userId", tenant), unassigned(), false);
    }

    private static Bson unassigned() {
        return Updates.combine(Updates.unset("assignedAgentId"), Updates.unset("assignedAt"),
                Updates.unset("assignedVoiceUrl"), Updates.unset("assignedMachineDetection"));
    }

    /** By {@code _id} alone (an index everywhere); the tenant is checked on the document read. */
    public void queryById(@Header("numberId") String numberId, Message message) {
        MongoRequests.query(message, Filters.eq("_id", Ids.objectId(numberId, "numberId", "number")));
    }

    /**
     * Why a claim matched nothing: the number does not exist for this tenant (404), or another agent holds it
     * (409).
     */
    public void explainUnclaimed(@Header("numberId") String numberId, @ExchangeProperty("existingNumber") Document number,
            @ExchangeProperty("tenantId") String tenant) {
        if (number == null || !tenant.equals(number.getString("userId"))) {
            throw ApiException.notFound("numberId", "number '" + Ids.safe(numberId) + "' does not exist");
        }
        if (!"active".equals(number.getString("status"))) {
            throw ApiException.conflict("numberId", "number '" + numberId + "' is not active");
        }
        throw ApiException.conflict("numberId", "number '" + numberId + "' is assigned to another agent;"
                + " release it first (DELETE /voip/assign-number/" + numberId + ")");
    }

    /** The DID the agent's document names as its line, by {@code _id}. */
    public void queryLine(@ExchangeProperty("agent") Document agent, Message message) {
        MongoRequests.query(message, Filters.eq("_id", agent.getObjectId(AgentStore.LINE)));
    }

    /**
     * The number is the one place an assignment is recorded: the agent's line only while the number says so
     * (released or reassigned since, it is not).
     */
    public Document requireAssigned(Document number, @ExchangeProperty("agentId") String agentId,
            @ExchangeProperty("tenantId") String tenant) {
        if (number == null || !tenant.equals(number.getString("userId"))
                || !agentId.equals(number.getString("assignedAgentId")) || !"active".equals(number.getString("status"))) {
            throw AgentStore.withoutLine();
        }
        return number;
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
        if (number.getString("assignedMachineDetection") != null) {
            view.put("machineDetection", number.getString("assignedMachineDetection"));
        }
        if (number.getString("assignedVoiceUrl") != null) {
            view.put("voiceUrl", number.getString("assignedVoiceUrl"));
        }
        return view;
    }

    /** The answer to add-provider: 201 with a new account, 200 with an updated one, and the DID it brought. */
    public Map<String, Object> providerAdded(@ExchangeProperty("provider") Document provider,
            @ExchangeProperty("existingProvider") Document existing, @Body Document number, Message message) {
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, existing == null ? 201 : 200);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.put("message", "VOIP provider added successfully");
        answer.put("provider", ProviderStore.view(provider, List.of(view(number))));
        return answer;
    }

    /** Every provider with the DIDs it brought. */
    public List<Map<String, Object>> providers(@ExchangeProperty("providers") List<Document> providers,
            @Body List<Document> numbers) {
        return providers.stream().map(p -> ProviderStore.view(p, numbers.stream()
                .filter(n -> p.get("_id").equals(n.get("providerId"))).map(NumberStore::view).toList())).toList();
    }

    /** A DID exists once; assignments are compare-and-sets on exact fields (an index answers them everywhere). */
    public static void createIndexes(MongoDatabase db) {
        MongoCollection<Document> numbers = db.getCollection(Collections.NUMBERS);
        numbers.createIndex(Indexes.ascending("phoneNumber"), new IndexOptions().unique(true));
        numbers.createIndex(Indexes.ascending("_id", "userId"), new IndexOptions().unique(true));
        numbers.createIndex(Indexes.ascending("_id", "userId", "assignedAgentId"), new IndexOptions().unique(true));
        Collections.dropIfPresent(numbers, "assignedAgentId_1");
    }
}

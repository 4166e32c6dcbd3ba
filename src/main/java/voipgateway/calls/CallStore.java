package voipgateway.calls;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.api.ErrorResponses;
import voipgateway.api.Ids;
import voipgateway.numbers.Dids;
import voipgateway.providers.SansPbxAccount;
import voipgateway.sanspbx.DialRequest;
import voipgateway.storage.MongoRequests;

/**
 * Calls in {@code calls}. A call is stored as {@code dialing} before the provider is asked, so its own id can
 * travel as {@code record_id} and no dial happens without a record; it then becomes {@code initiated} or
 * {@code failed} with the reason.
 */
public class CallStore {

    private final String callbackUrl;
    private final String statusCallbackUrl;

    public CallStore(String callbackUrl, String statusCallbackUrl) {
        this.callbackUrl = callbackUrl;
        this.statusCallbackUrl = statusCallbackUrl;
    }

    /** The new call document; also leaves the dial request on the exchange as property {@code dial}. */
    public Document newCall(@ExchangeProperty("request") OutboundCallRequest request,
            @ExchangeProperty("number") Document number, @ExchangeProperty("account") SansPbxAccount account,
            Exchange exchange) {
        ObjectId id = new ObjectId();
        String did = number.getString("phoneNumber");
        Date now = new Date();
        exchange.setProperty("callId", id);
        exchange.setProperty("dial", new DialRequest(request.callTo(), Dids.callerId(did), did, id.toHexString(),
                callbackUrl, statusCallbackUrl));
        return new Document("_id", id)
                .append("agentId", request.agentId())
                .append("leadId", request.leadId())
                .append("toPhone", request.toPhone())
                .append("callTo", request.callTo())
                .append("did", did)
                .append("provider", number.getString("provider"))
                .append("providerId", new ObjectId(account.id()))
                .append("status", "dialing")
                .append("createdAt", now)
                .append("updatedAt", now);
    }

    public void markInitiated(@ExchangeProperty("callId") ObjectId callId,
            @ExchangeProperty("providerCallId") String providerCallId, Message message) {
        Date now = new Date();
        MongoRequests.update(message, Filters.eq("_id", callId), Updates.combine(
                Updates.set("status", "initiated"),
                Updates.set("providerCallId", providerCallId),
                Updates.set("initiatedAt", now),
                Updates.set("updatedAt", now)), false);
    }

    /** Only a call still dialing can fail this way: a later state is never overwritten. */
    public void markFailed(@ExchangeProperty("callId") ObjectId callId,
            @ExchangeProperty(ErrorResponses.REASON_PROPERTY) String reason, Message message) {
        MongoRequests.update(message, Filters.and(Filters.eq("_id", callId), Filters.eq("status", "dialing")),
                Updates.combine(Updates.set("status", "failed"), Updates.set("failureReason", reason),
                        Updates.set("updatedAt", new Date())), false);
    }

    public void queryById(@Header("id") String id, Message message) {
        MongoRequests.query(message, Filters.eq("_id", Ids.objectId(id, "id", "call")));
    }

    public Map<String, Object> found(@Header("id") String id, Document call) {
        if (call == null) {
            throw ApiException.notFound("id", "call '" + Ids.safe(id) + "' does not exist");
        }
        return view(call);
    }

    public Map<String, Object> view(Document call) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", call.getObjectId("_id").toHexString());
        for (String field : new String[] {"agentId", "leadId", "toPhone", "did", "provider", "providerCallId",
                "status", "failureReason"}) {
            if (call.get(field) != null) {
                view.put(field, call.get(field).toString());
            }
        }
        view.put("providerId", call.getObjectId("providerId").toHexString());
        for (String field : new String[] {"createdAt", "initiatedAt", "updatedAt"}) {
            if (call.getDate(field) != null) {
                view.put(field, call.getDate(field).toInstant().toString());
            }
        }
        return view;
    }
}

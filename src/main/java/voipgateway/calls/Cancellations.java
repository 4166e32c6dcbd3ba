package voipgateway.calls;

import java.util.Date;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import voipgateway.api.ApiException;

/**
 * {@code POST /calls/{id}/cancel}: a call no request is dialling yet (scheduled by the calling rules, or pending:
 * released after its provider account was at its pacing limit, until its request comes again) becomes
 * {@code canceled} in one compare-and-set, with the answer its Idempotency-Key gets from then on: it is never
 * dialled. Being dialled or ended: 409; another tenant's: 404, as if it did not exist.
 */
public class Cancellations {

    public static final String CANCELED = "canceled";

    /** The call read by id: this tenant's (property {@code call}), and one that can still be canceled. */
    public void require(Document call, @Header("id") String id, @ExchangeProperty("tenantId") String tenant,
            Exchange exchange) {
        CallStore.requireMine(call, id, tenant);
        exchange.setProperty("call", call);
        exchange.setProperty("callId", call.getObjectId("_id"));
        // a scheduled call's outcomes are published (the scheduler would have): so is its cancellation
        exchange.setProperty("publishCancel", CallLifecycle.SCHEDULED.equals(call.getString("status")));
        exchange.setProperty("requestId", call.getString("idempotencyKey"));
        requireCancelable(call);
    }

    public CallChange cancel() {
        return call -> {
            if (!cancelable(call)) {
                return null;
            }
            Date now = new Date();
            Document after = new Document(call);
            after.put("status", CANCELED);
            after.put("reason", "canceled_by_client");
            after.put("updatedAt", now);
            Document set = new Document("status", CANCELED).append("statusRank", CallLifecycle.rank(CANCELED))
                    .append("reason", "canceled_by_client").append("claim", null).append("canceledAt", now)
                    .append("updatedAt", now).append("response", DialChanges.storedResponse(200, CallStore.view(after)));
            return (Bson) new Document("$set", set);
        };
    }

    /** The call as canceled now (property {@code storedResponse}, for its event); lost to a dial meanwhile: 409. */
    public Map<String, Object> canceled(@ExchangeProperty("call") Document call,
            @ExchangeProperty("callApplied") boolean applied, Exchange exchange) {
        if (!applied) {
            requireCancelable(call);
        }
        exchange.setProperty("storedResponse", call.get("response"));
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        return CallStore.view(call);
    }

    private static void requireCancelable(Document call) {
        if (!cancelable(call)) {
            throw new ApiException(409, CallLifecycle.isTerminal(call.getString("status")) ? "call_ended"
                    : "call_in_progress", "id", "the call is " + call.getString("status")
                    + ": only a scheduled call, or one waiting for its provider account's pacing, can be canceled");
        }
    }

    /** Scheduled, or pending with its claim released (no request holds it). */
    static boolean cancelable(Document call) {
        String status = call.getString("status");
        return CallLifecycle.SCHEDULED.equals(status)
                || CallLifecycle.PENDING.equals(status) && DialChanges.RELEASED.equals(call.get("claim"));
    }
}

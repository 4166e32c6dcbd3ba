package voipgateway.calls;

import java.time.Clock;
import java.util.Date;
import java.util.Map;

import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.api.ApiException;

/**
 * {@code POST /calls/{id}/hangup}: the request is written on the call ({@code hangupRequestedAt}, a compare-and-set
 * through {@link CallVersions}) before the provider is asked, so two requests ask the provider once; the call ends
 * when the provider reports it (a status callback). A call that ended is a 409; a hang-up asked for before is
 * answered again as it was (202), also after the call ended. A provider that refused or did not answer takes
 * the request back, so it can be tried again.
 * Exchange properties: in tenantId; out call, callId, callChange (for callVersions.apply).
 */
public class Hangups {

    public static final String REQUESTED = "hangupRequestedAt";

    private final Clock clock;

    public Hangups(Clock clock) {
        this.clock = clock;
    }

    /** What this request does: "hangup" (ask the provider) or "replay" (asked before); 404 / 409 otherwise. */
    public String decide(Document call, @Header("id") String id, @ExchangeProperty("tenantId") String tenant,
            Exchange exchange) {
        CallStore.requireMine(call, id, tenant);
        exchange.setProperty("call", call);
        exchange.setProperty("callId", call.getObjectId("_id"));
        return decide(call);
    }

    static String decide(Document call) {
        if (call.get(REQUESTED) != null) {
            return "replay";
        }
        String status = call.getString("status");
        if (CallLifecycle.isTerminal(status)) {
            throw new ApiException(409, "call_ended", "id", "the call already ended (" + status + ")");
        }
        if (Cancellations.cancelable(call)) {
            throw new ApiException(409, "call_not_connected", "id", "the call is " + status
                    + ": nobody is dialling it yet; POST /calls/{id}/cancel cancels it");
        }
        if (call.getString("providerCallId") == null) {
            throw new ApiException(409, "call_not_connected", "id",
                    "the provider has not taken the call yet (" + status + "); try again shortly");
        }
        return "hangup";
    }

    /** The request, written on the call unless another request wrote it first (then nothing to write). */
    public CallChange request() {
        Date now = Date.from(clock.instant());
        return call -> "hangup".equals(decide(call)) ? Updates.set(REQUESTED, now) : null;
    }

    /** After the compare-and-set: this request owns the hang-up, or another one asked the provider first. */
    public String claimed(@ExchangeProperty("callApplied") boolean applied, @ExchangeProperty("call") Document call) {
        return applied ? "hangup" : decide(call);
    }

    /** The provider did not take it: the request is taken back (so a retry asks again). */
    public CallChange withdraw() {
        return call -> call.get(REQUESTED) == null ? null : Updates.unset(REQUESTED);
    }

    /** The provider's failure, passed on to the API's error handling once the request is taken back. */
    public void fail(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) throws Exception {
        throw failure;
    }

    /** 202: the provider was asked; the call's status moves when it reports the end. */
    public Map<String, Object> answer(@ExchangeProperty("call") Document call, Message message) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return CallStore.view(call);
    }
}

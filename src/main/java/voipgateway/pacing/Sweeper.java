package voipgateway.pacing;

import java.util.Date;

import com.mongodb.client.model.Updates;
import voipgateway.calls.CallChange;
import voipgateway.calls.CallLifecycle;

/**
 * Calls whose slot outlived the longest call ({@code voip.max-call-seconds} plus {@code voip.call-grace-seconds})
 * without a terminal status: the provider never reported their end. They become {@code unknown} with reason
 * {@code no_final_callback} and their slot is freed; a report that comes after still applies (any provider status
 * outranks unknown).
 */
public class Sweeper {

    public static final String REASON = "no_final_callback";

    public CallChange settle() {
        return call -> {
            if (call == null || CallLifecycle.isTerminal(call.getString("status"))) {
                return null;
            }
            Date now = new Date();
            return Updates.combine(Updates.set("status", CallLifecycle.UNKNOWN), Updates.set("reason", REASON),
                    Updates.set("failureReason", "the provider never reported the end of the call"),
                    Updates.set("sweptAt", now), Updates.set("updatedAt", now));
        };
    }
}

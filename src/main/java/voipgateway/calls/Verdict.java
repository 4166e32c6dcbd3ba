package voipgateway.calls;

import java.time.Instant;

/**
 * What the calling rules say about a request before it is dialled: {@code dial}, {@code refuse} (with a reason
 * code: {@code dnc}, {@code outside_calling_window}) or {@code schedule} (dial at {@code at}).
 */
public record Verdict(String action, String reason, String message, Instant at) {

    public static final Verdict DIAL = new Verdict("dial", null, null, null);

    public boolean dial() {
        return DIAL.action.equals(action);
    }
}

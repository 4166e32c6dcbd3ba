package voipgateway.calls;

import java.util.Map;
import java.util.Set;

/**
 * The one lifecycle every provider's events are mapped onto:
 * {@code initiated -> ringing -> answered -> completed | busy | no-answer | failed | canceled}.
 * A status may only move forward (a higher rank), so a terminal status is never left, an older event never
 * overwrites a newer one, and the same event twice changes nothing the second time. {@code dialing} is this
 * service's own state before the provider answered; {@code unknown} a dial whose outcome is not known: any
 * provider event settles both. {@code pending} is a ledger entry no request is dialling yet; {@code scheduled} one
 * the calling rules put off to its window; {@code refused} one they refused (never dialled).
 */
public final class CallLifecycle {

    public static final String PENDING = "pending";
    public static final String DIALING = "dialing";
    public static final String UNKNOWN = "unknown";
    public static final String INITIATED = "initiated";
    public static final String RINGING = "ringing";
    public static final String ANSWERED = "answered";
    public static final String FAILED = "failed";
    public static final String SCHEDULED = "scheduled";
    public static final String REFUSED = "refused";

    private static final int TERMINAL_RANK = 4;
    private static final Map<String, Integer> RANKS = Map.ofEntries(
            Map.entry(PENDING, 0), Map.entry(DIALING, 0), Map.entry(UNKNOWN, 0), Map.entry(INITIATED, 1),
            Map.entry(RINGING, 2), Map.entry(ANSWERED, 3), Map.entry("completed", TERMINAL_RANK),
            Map.entry("busy", TERMINAL_RANK), Map.entry("no-answer", TERMINAL_RANK), Map.entry(FAILED, TERMINAL_RANK),
            Map.entry("canceled", TERMINAL_RANK), Map.entry(SCHEDULED, 0), Map.entry(REFUSED, TERMINAL_RANK));
    public static final Set<String> STATUSES = RANKS.keySet();

    private CallLifecycle() {
    }

    public static int rank(String status) {
        Integer rank = RANKS.get(status);
        if (rank == null) {
            throw new IllegalArgumentException("not a call status: " + status);
        }
        return rank;
    }

    public static boolean isTerminal(String status) {
        return rank(status) == TERMINAL_RANK;
    }
}

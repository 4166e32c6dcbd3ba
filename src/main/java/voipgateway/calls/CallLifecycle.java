package voipgateway.calls;

import java.util.Map;
import java.util.Set;

/**
 * The one lifecycle every provider's events are mapped onto:
 * {@code initiated -> ringing -> answered -> completed | busy | no-answer | failed | canceled}.
 * A status may only move forward (a higher rank), so a terminal status is never left, an older event never
 * overwrites a newer one, and the same event twice changes nothing the second time. {@code dialing} is this
 * service's own state before the provider answered; {@code unknown} a dial whose outcome is not known: any
 * provider event settles both.
 */
public final class CallLifecycle {

    public static final String DIALING = "dialing";
    public static final String UNKNOWN = "unknown";
    public static final String INITIATED = "initiated";
    public static final String RINGING = "ringing";
    public static final String ANSWERED = "answered";
    public static final String FAILED = "failed";

    private static final int TERMINAL_RANK = 4;
    private static final Map<String, Integer> RANKS = Map.of(
            DIALING, 0, UNKNOWN, 0, INITIATED, 1, RINGING, 2, ANSWERED, 3,
            "completed", TERMINAL_RANK, "busy", TERMINAL_RANK, "no-answer", TERMINAL_RANK, FAILED, TERMINAL_RANK,
            "canceled", TERMINAL_RANK);
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

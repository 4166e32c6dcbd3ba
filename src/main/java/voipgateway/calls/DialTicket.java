package voipgateway.calls;

import java.util.concurrent.atomic.AtomicReference;

import org.bson.types.ObjectId;

/**
 * Where one request's dial stands (exchange property {@code dialTicket}): handed out by the ledger's claim, moved
 * on only by the ledger, in one order: claimed, sent to the adapter, settled. A step out of that order (a route
 * edited so that it dials before the claim, dials twice or settles before the dial) is refused with
 * {@link DialOrderException} before it does anything, so no edit of the routes can ring a person twice.
 */
public final class DialTicket {

    /** What the claim found: this request dials; the rules refused or put it off now; a stored answer; taken. */
    public enum Outcome { DIAL, RULED, ANSWERED, TAKEN }

    enum Stage { CLAIMED, SENT, SETTLED }

    private final ObjectId callId;
    private final String claim;
    private final Outcome outcome;
    private final AtomicReference<Stage> stage;

    private DialTicket(ObjectId callId, String claim, Outcome outcome) {
        this.callId = callId;
        this.claim = claim;
        this.outcome = outcome;
        this.stage = new AtomicReference<>(outcome == Outcome.DIAL ? Stage.CLAIMED : Stage.SETTLED);
    }

    static DialTicket claimed(ObjectId callId, String claim) {
        return new DialTicket(callId, claim, Outcome.DIAL);
    }

    static DialTicket settled(ObjectId callId, Outcome outcome) {
        return new DialTicket(callId, null, outcome);
    }

    public ObjectId callId() {
        return callId;
    }

    String claim() {
        return claim;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** This request won the claim: it is the one to dial. */
    public boolean claimed() {
        return outcome == Outcome.DIAL;
    }

    /** Refused or put off by the calling rules just now. */
    public boolean ruled() {
        return outcome == Outcome.RULED;
    }

    /** The claim is held and not settled: a failure now must settle it. */
    public boolean holdsClaim() {
        return stage.get() != Stage.SETTLED;
    }

    /** Moves on from {@code from} to {@code to} in one step, or refuses the step named {@code step}. */
    void advance(String step, Stage from, Stage to) {
        if (!stage.compareAndSet(from, to)) {
            throw new DialOrderException(step, stage.get());
        }
    }

    /** Refuses the step named {@code step} unless the dial stands at one of {@code at}. */
    DialTicket expect(String step, Stage... at) {
        Stage now = stage.get();
        for (Stage expected : at) {
            if (now == expected) {
                return this;
            }
        }
        throw new DialOrderException(step, now);
    }

    /** The claim's outcome is stored. */
    void settled() {
        stage.set(Stage.SETTLED);
    }

    static DialTicket require(DialTicket ticket, String step) {
        if (ticket == null) {
            throw new DialOrderException(step, null);
        }
        return ticket;
    }

    @Override
    public String toString() {
        return "dial of call " + callId + " (" + outcome + ", " + stage.get() + ")";
    }
}

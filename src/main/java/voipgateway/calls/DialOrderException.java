package voipgateway.calls;

/** A dial step the routes took out of order (see {@link DialTicket}): refused before it did anything. */
public class DialOrderException extends IllegalStateException {

    DialOrderException(String step, DialTicket.Stage stage) {
        super("dial step '" + step + "' out of order: " + (stage == null ? "no call was claimed"
                : "the dial is " + stage.name().toLowerCase()) + "; the routes must claim, dial once, then settle");
    }
}

package voipgateway.storage;

import java.util.List;

import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import org.apache.camel.Exchange;

/**
 * The failures that mean MongoDB is unreachable or has no primary for now (as opposed to a request it refused):
 * what is worth keeping and trying again later. The one list of them; routes catch {@code MongoException} and ask
 * here (onWhen).
 */
public final class MongoOutages {

    private static final List<Class<? extends Throwable>> OUTAGES = List.of(MongoTimeoutException.class,
            MongoSocketException.class, MongoNotPrimaryException.class, MongoNodeIsRecoveringException.class);

    private MongoOutages() {
    }

    /** The failure caught on the exchange is a unique index refusing a second document (code 11000). */
    public static boolean duplicateKey(Exchange exchange) {
        for (Throwable t = failure(exchange); t != null; t = t.getCause()) {
            if (t instanceof MongoWriteException write && write.getError().getCode() == 11000) {
                return true;
            }
        }
        return false;
    }

    /** Whether the exchange failed because MongoDB is out (in an onException or a doCatch alike). */
    public static boolean during(Exchange exchange) {
        return isOutage(failure(exchange));
    }

    /** The failure being handled: the exchange's own in an onException, the caught one in a doCatch. */
    private static Throwable failure(Exchange exchange) {
        return exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (Class<? extends Throwable> outage : OUTAGES) {
                if (outage.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }
}

package voipgateway.calls;

import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * A change to one call, computed from the call as stored ({@link CallVersions} applies it as a
 * compare-and-set on the call's version and computes it again from a fresh read when it lost a race).
 */
@FunctionalInterface
public interface CallChange {

    /** The update for this state of the call; null when there is nothing to change in it. */
    Bson update(Document call);
}

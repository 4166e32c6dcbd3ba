package voipgateway.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.support.cluster.AbstractCamelClusterService;

/**
 * Camel's cluster service (what {@code ClusteredRoutePolicy} and the {@code master:} component ask who leads) on
 * MongoDB, which every instance already shares; Camel ships none for it. Each namespace is a lease document in
 * {@code leases} that one instance holds until it stops renewing it; each instance is a member while its document in
 * {@code members} is fresh (see {@link MongoLeaseView}).
 */
public class MongoLeaseClusterService extends AbstractCamelClusterService<MongoLeaseView> {

    private final MongoDatabase db;
    private final Duration lease;
    private final Clock clock;
    private final String memberId;

    /**
     * @param lease how long a lease holds without renewal: a dead leader's routes start elsewhere within it (it is
     *              renewed every third of it; the instances' clocks must agree to well within it)
     */
    public MongoLeaseClusterService(MongoDatabase db, Duration lease, Clock clock, String memberName) {
        super("mongodb-lease");
        this.db = db;
        this.lease = lease;
        this.clock = clock;
        // a restarted instance is a new member: its old lease, if any, is not taken for its own
        this.memberId = memberName + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String memberId() {
        return memberId;
    }

    @Override
    protected MongoLeaseView createView(String namespace) {
        return new MongoLeaseView(this, namespace, db, lease, clock, memberId);
    }
}

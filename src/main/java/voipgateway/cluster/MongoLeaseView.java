package voipgateway.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace of {@link MongoLeaseClusterService}. Every third of the lease it stamps this instance's member
 * document, renews the lease it holds or takes one that expired (a compare-and-set: one update whose filter says
 * "mine, or expired"; the first insert is refused to all but one by the unique {@code _id}), and reads who else is
 * alive. It stops leading by itself when it could not renew for two thirds of the lease, so it has stopped before
 * another instance may take the lease over. Both collections hold a few documents (one per namespace, one per
 * instance), so their filters may scan.
 */
public class MongoLeaseView extends AbstractCamelClusterView {

    private static final Logger LOG = LoggerFactory.getLogger(MongoLeaseView.class);

    private final MongoCollection<Document> leases;
    private final MongoCollection<Document> members;
    private final Duration lease;
    private final Clock clock;
    private final Member local;
    private volatile String leaderId;
    /** The members alive at the last look: read per request (the rate limits' split), so built once per look. */
    private volatile List<CamelClusterMember> alive = List.of();
    private volatile Instant renewedAt;
    private ScheduledExecutorService timer;

    MongoLeaseView(MongoLeaseClusterService service, String namespace, MongoDatabase db, Duration lease, Clock clock,
            String memberId) {
        super(service, namespace);
        this.leases = db.getCollection("leases");
        this.members = db.getCollection("members");
        this.lease = lease;
        this.clock = clock;
        this.local = new Member(memberId, true);
    }

    @Override
    protected void doStart() {
        timer = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this,
                "lease-" + getNamespace());
        timer.scheduleWithFixedDelay(this::look, 0, lease.toMillis() / 3, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        getCamelContext().getExecutorServiceManager().shutdownNow(timer);
        try {
            // handed over at once: the next look of another instance takes it
            leases.updateOne(Filters.and(Filters.eq("_id", getNamespace()), Filters.eq("holder", local.getId())),
                    Updates.set("expiresAt", new Date(0)));
            members.deleteOne(Filters.eq("_id", memberKey()));
        } catch (MongoException e) {
            LOG.warn("[cluster] could not hand over the lease of {} ({}); it expires by itself", getNamespace(),
                    e.getClass().getSimpleName());
        }
        leading(false, null);
    }

    /** One look: stamp this member, renew or take the lease, read who is alive and who leads. */
    void look() {
        Instant now = clock.instant();
        try {
            members.replaceOne(Filters.eq("_id", memberKey()), new Document("_id", memberKey())
                    .append("namespace", getNamespace()).append("member", local.getId())
                    .append("seenAt", Date.from(now)), new ReplaceOptions().upsert(true));
            boolean holds = holdLease(now);
            if (holds) {
                renewedAt = now;
            }
            Document current = leases.find(Filters.eq("_id", getNamespace())).first();
            String holder = current != null && current.getDate("expiresAt").toInstant().isAfter(now)
                    ? current.getString("holder") : null;
            leading(holds, holder);
            List<CamelClusterMember> live = new ArrayList<>();
            for (Document member : members.find(Filters.and(Filters.eq("namespace", getNamespace()),
                    Filters.gt("seenAt", Date.from(now.minus(lease)))))) {
                String id = member.getString("member");
                live.add(id.equals(local.getId()) ? local : new Member(id, false, id.equals(leaderId)));
            }
            alive = List.copyOf(live);
        } catch (MongoException e) {
            LOG.warn("[cluster] could not renew the lease of {}: {}", getNamespace(), e.getClass().getSimpleName());
        } catch (RuntimeException e) {
            LOG.warn("[cluster] the lease of {} could not be looked at", getNamespace(), e);
        }
        Instant renewed = renewedAt;
        if (local.leader && (renewed == null || now.isAfter(renewed.plus(lease.multipliedBy(2).dividedBy(3))))) {
            // before the lease can pass to another instance, this one stops
            LOG.warn("[cluster] {}: lease not renewed for two thirds of its {} s, leading no more", getNamespace(),
                    lease.toSeconds());
            leading(false, null);
        }
    }

    private boolean holdLease(Instant now) {
        Date until = Date.from(now.plus(lease));
        if (leases.updateOne(Filters.and(Filters.eq("_id", getNamespace()), Filters.or(
                Filters.eq("holder", local.getId()), Filters.lt("expiresAt", Date.from(now)))),
                Updates.combine(Updates.set("holder", local.getId()), Updates.set("expiresAt", until)))
                .getMatchedCount() == 1) {
            return true;
        }
        try {
            leases.insertOne(new Document("_id", getNamespace()).append("holder", local.getId())
                    .append("expiresAt", until));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    private synchronized void leading(boolean leads, String holder) {
        leaderId = leads ? local.getId() : holder;
        if (local.leader != leads) {
            local.leader = leads;
            LOG.info("[cluster] {}: this instance ({}) {}", getNamespace(), local.getId(),
                    leads ? "leads now" : "leads no more");
            fireLeadershipChangedEvent(getLeader());
        }
    }

    private String memberKey() {
        return getNamespace() + "/" + local.getId();
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        String id = leaderId;
        if (id == null) {
            return Optional.empty();
        }
        return Optional.of(id.equals(local.getId()) ? local : new Member(id, false, true));
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    /** The instances whose member document was stamped within the lease, this one among them once it looked. */
    @Override
    public List<CamelClusterMember> getMembers() {
        return alive;
    }

    private static final class Member implements CamelClusterMember {
        private final String id;
        private final boolean isLocal;
        private volatile boolean leader;

        Member(String id, boolean isLocal) {
            this.id = id;
            this.isLocal = isLocal;
        }

        Member(String id, boolean isLocal, boolean leader) {
            this(id, isLocal);
            this.leader = leader;
        }

        @Override
        public String getId() {
            return id;
        }

        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public boolean isLocal() {
            return isLocal;
        }
    }
}

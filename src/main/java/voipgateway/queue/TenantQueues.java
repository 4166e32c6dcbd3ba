package voipgateway.queue;

import java.util.ArrayList;
import java.util.List;

import com.mongodb.client.MongoCollection;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.bson.Document;
import voipgateway.api.Ids;

/**
 * Per-tenant call queues ({@code voip.queue.per-tenant=true}): a consumer of {@code voip.calls.<tenant>} for each
 * tenant, made from route template {@code tenant-calls} (queue-calls.yaml), so a broker's access rules can say
 * who may place calls for whom: the tenant is the queue's, never the message's. Tenants added later (here or
 * through another instance) get theirs at the next look (route {@code watch-tenant-queues}).
 */
public class TenantQueues {

    public static final String ROUTE_PREFIX = "tenant-calls-";

    private final CamelContext context;
    private final MongoCollection<Document> tenants;
    private final boolean enabled;

    public TenantQueues(CamelContext context, MongoCollection<Document> tenants, boolean enabled) {
        this.context = context;
        this.tenants = tenants;
        this.enabled = enabled;
    }

    /** Starts a consumer for every tenant that has none yet; answers the tenants it started one for. */
    public List<String> startMissing() {
        List<String> started = new ArrayList<>();
        if (!enabled) {
            return started;
        }
        // the tenants collection holds a document per tenant: a short read
        for (Document tenant : tenants.find().projection(new Document("_id", 1))) {
            String id = String.valueOf(tenant.get("_id"));
            if (Ids.isValid(id) && context.getRoute(ROUTE_PREFIX + id) == null) {
                TemplatedRouteBuilder.builder(context, "tenant-calls").routeId(ROUTE_PREFIX + id)
                        .parameter("tenant", id).add();
                started.add(id);
            }
        }
        return started;
    }
}

package voipgateway.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceHelper;
import voipgateway.config.Settings;
import voipgateway.metrics.GatewayMetrics;

/**
 * Several instances, from their settings (voip.cluster.*): the timers' routes run on the one holding the lease
 * (routePolicy {@code leaderOnly}), kept in MongoDB, which every instance shares, or by Kubernetes.
 */
public final class ClusterConfiguration {

    /** The cluster namespace whose lease the timers' routes follow, and whose members share the rate limits. */
    private static final String NAMESPACE = "voip-gateway";

    private final Duration lease;
    private final String name;
    private final String backend;
    private final Map<String, String> podLabels;
    private final String apiUrl;
    private final String namespace;

    public ClusterConfiguration(Settings settings) {
        lease = settings.seconds("voip.cluster.lease-seconds", 3, 3_600);
        String memberName = settings.text("voip.cluster.member-name", "");
        name = memberName.isBlank() ? Objects.requireNonNullElse(System.getenv("HOSTNAME"), "instance") : memberName;
        backend = settings.oneOf("voip.cluster.backend", "mongodb", "kubernetes");
        // checked whatever the backend, so a mistake shows before the day it is switched on
        podLabels = settings.labels("voip.cluster.kubernetes.pod-labels");
        apiUrl = settings.url("voip.cluster.kubernetes.api-url");
        namespace = settings.text("voip.cluster.kubernetes.namespace", "");
    }

    /**
     * leaderOnly, the cluster service (started with the context, stopped before its routes) and its gauges; answers
     * how many instances are alive (a key's allowance is split between them).
     */
    public IntSupplier bind(CamelContext context, MongoDatabase db, Clock clock, GatewayMetrics metrics)
            throws Exception {
        CamelClusterService cluster = backend.equals("kubernetes")
                ? KubernetesLeases.clusterService(lease, name, namespace, podLabels, apiUrl)
                : new MongoLeaseClusterService(db, lease, clock, name);
        context.addService(cluster, true, true);
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext camel) {
                // before the routes: Camel's ClusteredRoutePolicy deadlocks when a leadership change stops a timer
                // route while the stopping context shuts that route down (met when the Kubernetes API went away
                // during a stop); stopped first, the lease is handed over and no change comes in between
                ServiceHelper.stopService(cluster);
            }
        });
        CamelClusterView instances = cluster.getView(NAMESPACE);
        context.getRegistry().bind("leaderOnly", ClusteredRoutePolicy.forNamespace(cluster, NAMESPACE));
        metrics.gauge("voip.cluster.leader", "1 on the instance that runs the timers, else 0", "namespace",
                NAMESPACE, () -> instances.getLocalMember().isLeader() ? 1 : 0);
        metrics.gauge("voip.cluster.members", "Instances alive (stamped within the lease; on Kubernetes, the Ready"
                + " pods)", "namespace", NAMESPACE, () -> instances.getMembers().size());
        return () -> instances.getMembers().size();
    }
}

package voipgateway.cluster;

import java.time.Duration;
import java.util.Map;

import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;

/**
 * The lease kept by Kubernetes instead of MongoDB ({@code voip.cluster.backend = kubernetes}): Camel's own
 * {@link KubernetesClusterService} on a {@code coordination.k8s.io} Lease named {@code voip-gateway-voip-gateway},
 * whose members are the Running and Ready pods carrying the given labels. It needs RBAC to get, create and update
 * Leases and to list Pods in the namespace.
 */
public final class KubernetesLeases {

    private KubernetesLeases() {
    }

    /**
     * @param takeover  how soon a dead leader's routes start on another pod ({@code voip.cluster.lease-seconds}).
     *                  Camel's service holds a leader valid while its pod is a Running and Ready member, whatever the
     *                  Lease's renew time says: a dead leader's timers move once Kubernetes marks its pod not Ready
     *                  (at once when its container exits; after the readiness probe's failures when it hangs), then
     *                  within one look (a tenth of this, with Camel's jitter of 1.2) and the new leader's wait of half
     *                  of this (so an old leader that lost the API has stopped: it stops by itself when it could not
     *                  renew for four tenths)
     * @param podName   this pod's name (Kubernetes sets HOSTNAME to it)
     * @param namespace the pods' and the Lease's namespace; empty: the pod's own (its service account's)
     * @param podLabels labels of the pods that are the service's instances
     * @param masterUrl the API server; empty: the one the pod's service account (or a kubeconfig) names
     */
    public static KubernetesClusterService clusterService(Duration takeover, String podName, String namespace,
            Map<String, String> podLabels, String masterUrl) {
        // the API server goes in a configuration given to the constructor: camel-kubernetes 4.18 drops a master URL
        // set on a service built without one (its doInit then starts from a configuration of its own)
        KubernetesConfiguration api = new KubernetesConfiguration();
        if (!masterUrl.isEmpty()) {
            api.setMasterUrl(masterUrl);
        }
        KubernetesClusterService service = new KubernetesClusterService(api);
        service.setId("kubernetes-lease");
        service.setLeaseResourceType(LeaseResourceType.Lease);
        service.setKubernetesResourceName("voip-gateway");
        service.setPodName(podName);
        service.setClusterLabels(Map.copyOf(podLabels));
        if (!namespace.isEmpty()) {
            service.setKubernetesNamespace(namespace);
        }
        long millis = takeover.toMillis();
        service.setLeaseDurationMillis(millis / 2);
        service.setRenewDeadlineMillis(millis * 4 / 10);
        service.setRetryPeriodMillis(millis / 10);
        return service;
    }
}

package voipgateway;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.apache.camel.ServiceStatus;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timers' lease kept by Kubernetes ({@code voip.cluster.backend = kubernetes}): two instances, this test's and a
 * second one as its own process, each a "pod" of a Kubernetes API stand-in (fabric8's, which keeps Pods and Leases
 * as the API server does and refuses an update on a stale resource version). The timers run on the pod holding the
 * Lease; that pod's process killed and its pod marked not Ready (what the kubelet does when a container exits), they
 * move to the other within the lease period.
 */
class KubernetesLeasesTest extends GatewayTestSupport {

    private static final int LEASE_SECONDS = 3;
    private static final String PODS_NAMESPACE = "dialer";
    private static final Map<String, String> POD_LABELS = Map.of("app", "voip-gateway");

    private static final KubernetesMockServer API = startApi();
    private static final KubernetesClient KUBERNETES = API.createClient();

    private final int mongoPort = AvailablePortFinder.getNextAvailable();

    private static KubernetesMockServer startApi() {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        try {
            api.init(InetAddress.getLoopbackAddress(), 0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return api;
    }

    /** The service stops before its API server, as in a cluster. */
    @Override
    protected void stop() {
        try {
            super.stop();
        } finally {
            KUBERNETES.close();
            API.destroy();
        }
    }

    @Override
    protected Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("mongodb.embedded-port", Integer.toString(mongoPort));
        properties.put("voip.cluster.backend", "kubernetes");
        properties.put("voip.cluster.lease-seconds", Integer.toString(LEASE_SECONDS));
        properties.put("voip.cluster.member-name", "gateway-a");
        properties.put("voip.cluster.kubernetes.namespace", PODS_NAMESPACE);
        properties.put("voip.cluster.kubernetes.pod-labels", "app=voip-gateway");
        properties.put("voip.cluster.kubernetes.api-url", "http://127.0.0.1:" + API.getPort());
        return properties;
    }

    @Test
    void timersOnThePodHoldingTheLeaseMovedWhenItsPodIsNotReady() throws Exception {
        // this instance's pod is not Ready yet, so the second one, Ready, takes the Lease
        Map<String, String> second = anotherInstance("second");
        second.put("voip.cluster.member-name", "gateway-b");
        pod("gateway-b", true);
        Process other = startAsItsOwnProcess(second, "second.log");
        try {
            int otherManagement = Integer.parseInt(second.get("voip.management-port"));
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> clusterGauge(otherManagement, "voip_cluster_leader") == 1);
            pod("gateway-a", true);
            await().atMost(Duration.ofSeconds(30)).until(() -> clusterGauge(managementPort, "voip_cluster_members") == 2
                    && clusterGauge(otherManagement, "voip_cluster_members") == 2);

            assertEquals(0, clusterGauge(managementPort, "voip_cluster_leader"), "the timers run on one pod only");
            assertEquals(ServiceStatus.Stopped, routeStatus("dial-due-calls"));
            assertEquals(ServiceStatus.Stopped, routeStatus("sweep-overdue-calls"));
            assertEquals("gateway-b", lease().getSpec().getHolderIdentity());
            // a pod is a member only while Ready: a follower's readiness must not wait for the timers
            assertEquals(200, send("GET", "/health", null).status(), "a follower is ready");

            other.destroyForcibly().waitFor();
            pod("gateway-b", false);
            long notReadyAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> clusterGauge(managementPort, "voip_cluster_leader") == 1);
            long movedAfterMillis = (System.nanoTime() - notReadyAt) / 1_000_000;
            // a lease period, and the time the routes take to start
            assertTrue(movedAfterMillis < (LEASE_SECONDS + 3) * 1000L, "moved after " + movedAfterMillis + " ms");
            await().atMost(Duration.ofSeconds(10)).until(() -> routeStatus("dial-due-calls") == ServiceStatus.Started);
            assertEquals("gateway-a", lease().getSpec().getHolderIdentity());
            assertEquals(1, clusterGauge(managementPort, "voip_cluster_members"));
        } finally {
            other.destroyForcibly();
        }
    }

    /** The one Lease in the pods' namespace, as the API keeps it. */
    private static Lease lease() {
        List<Lease> leases = KUBERNETES.leases().inNamespace(PODS_NAMESPACE).list().getItems();
        assertEquals(1, leases.size(), "leases: " + leases);
        return leases.get(0);
    }

    /** A pod of the service, Running, and Ready or not. */
    private static void pod(String name, boolean ready) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(PODS_NAMESPACE)
                .withLabels(POD_LABELS).endMetadata()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").endCondition().endStatus().build();
        KUBERNETES.pods().inNamespace(PODS_NAMESPACE).resource(pod).createOr(existing -> existing.updateStatus());
    }
}

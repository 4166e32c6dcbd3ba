package voipgateway;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.ServiceStatus;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances on one MongoDB: this test's, and a second one as its own process. The timers run on exactly the one
 * holding the lease; the leader killed ({@code kill -9}), they move to the other within a lease period; both use one
 * SansPBX token; a key's rate limit holds across both.
 */
class SeveralInstancesTest extends GatewayTestSupport {

    private static final int LEASE_SECONDS = 3;
    private static final int RATE_LIMIT = 20;

    private final int mongoPort = AvailablePortFinder.getNextAvailable();

    @Override
    protected Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("mongodb.embedded-port", Integer.toString(mongoPort));
        properties.put("voip.cluster.lease-seconds", Integer.toString(LEASE_SECONDS));
        properties.put("voip.rate-limit-requests", Integer.toString(RATE_LIMIT));
        properties.put("voip.rate-limit-period-ms", "60000");
        return properties;
    }

    @Test
    void timersOnOneInstanceMovedWhenItDiesOneTokenAndOneRateLimitForBoth() throws Exception {
        lineThatDials("jwt-shared", "91");
        CamelClusterService cluster = gateway.getCamelContext().hasService(CamelClusterService.class);
        // this instance hands the lease over (a stop releases it), so the second one takes it and can be killed
        cluster.stopView(CLUSTER_NAMESPACE);
        Map<String, String> second = anotherInstance("second");
        Process other = startAsItsOwnProcess(second, "second.log");
        try {
            int otherPort = Integer.parseInt(second.get("port"));
            int otherManagement = Integer.parseInt(second.get("voip.management-port"));
            await().atMost(Duration.ofSeconds(90)).until(() -> clusterGauge(otherManagement, "voip_cluster_leader") == 1);
            cluster.startView(CLUSTER_NAMESPACE);
            await().atMost(Duration.ofSeconds(30)).until(() -> clusterGauge(managementPort, "voip_cluster_members") == 2
                    && clusterGauge(otherManagement, "voip_cluster_members") == 2);

            assertEquals(0, clusterGauge(managementPort, "voip_cluster_leader"), "the timers run on one instance only");
            assertEquals(ServiceStatus.Stopped, routeStatus("dial-due-calls"));
            assertEquals(ServiceStatus.Stopped, routeStatus("sweep-overdue-calls"));

            // one token for both: the one add-provider's check was given (counted before the line's requests were
            // cleared)
            assertEquals(201, call("09000000001").status());
            assertEquals(201, callOn(otherPort, "09000000002"));
            assertEquals(0, pbx.findAll(postRequestedFor(urlPathEqualTo(GENTOKEN))).size(),
                    "neither instance asked gentoken: both took the token stored when the account was added");
            assertEquals(2, pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))).size());

            // the key's allowance (20 a minute, 4 of them used above) holds across both instances
            int letThrough = 0;
            for (int i = 0; i < 40; i++) {
                int status = i % 2 == 0 ? send("GET", "/voip/providers", null).status()
                        : listOn(otherPort);
                if (status == 200) {
                    letThrough++;
                } else {
                    assertEquals(429, status);
                }
            }
            assertTrue(letThrough <= RATE_LIMIT - 4 + 2, "let through " + letThrough + " of a 20-a-minute key");
            assertTrue(letThrough >= 10, "both instances let their share through: " + letThrough);

            other.destroyForcibly().waitFor();
            long killedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> clusterGauge(managementPort, "voip_cluster_leader") == 1);
            long movedAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
            // a lease period, plus at most one look (a third of it) and the time the routes take to start
            assertTrue(movedAfterMillis < (LEASE_SECONDS + 3) * 1000L, "moved after " + movedAfterMillis + " ms");
            await().atMost(Duration.ofSeconds(10)).until(() -> routeStatus("dial-due-calls") == ServiceStatus.Started);
        } finally {
            other.destroyForcibly();
        }
    }

    private int callOn(int otherPort, String toPhone) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otherPort + "/calls/outbound"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("agentId", AGENT,
                        "leadId", LEAD, "toPhone", toPhone))))).status();
    }

    private int listOn(int otherPort) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otherPort + "/voip/providers"))
                .header("Authorization", "Bearer " + API_KEY).GET()).status();
    }
}

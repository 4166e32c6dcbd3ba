package voipgateway;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.camel.test.AvailablePortFinder;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The service killed ({@code kill -9}) with calls waiting for their PBX, then started again: every one of those
 * calls becomes {@code unknown} (reason {@code claim_expired}) within its claim plus the grace, none is dialled
 * twice, and the same Idempotency-Key answers that outcome.
 */
class DeadInstanceClaimsTest extends GatewayTestSupport {

    private static final int CALLS = 6;
    /** Longer than four provider requests at the timeouts below (4 x (0.75 + 6) s), as the service requires. */
    private static final int CLAIM_SECONDS = 28;
    private static final int GRACE_SECONDS = 2;
    private final int mongoPort = AvailablePortFinder.getNextAvailable();

    @Override
    protected Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("voip.provider-connect-timeout-ms", "500");
        properties.put("voip.provider-response-timeout-ms", "6000");
        properties.put("voip.dial-claim-seconds", Integer.toString(CLAIM_SECONDS));
        properties.put("voip.claim-grace-seconds", Integer.toString(GRACE_SECONDS));
        properties.put("voip.claim-check-ms", "500");
        // the calls' pacing slots are not stored before the kill: only the look at recent calls can find them
        properties.put("voip.live-calls-write-ms", "600000");
        properties.put("mongodb.embedded-port", Integer.toString(mongoPort));
        return properties;
    }

    @Test
    void callsInFlightWhenTheServiceWasKilledBecomeUnknownAndAreNeverDialledAgain() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        providerWithAgent();
        // the PBX takes the dials and answers long after the service is gone
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withStatus(200).withFixedDelay(20_000)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"success\",\"call_id\":\"7\"}")));
        stop();

        Process service = startAsItsOwnProcess(settings(), "killed-service.log");
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> client.send(HttpRequest
                    .newBuilder(uri("/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            for (int i = 0; i < CALLS; i++) {
                client.sendAsync(HttpRequest.newBuilder(uri("/calls/outbound"))
                        .header("Content-Type", "application/json").header("Idempotency-Key", "crash-" + i)
                        .header("Authorization", "Bearer " + API_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("agentId", AGENT,
                                "leadId", LEAD, "toPhone", "0900000000" + i)))).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))).size() == CALLS);
            try (MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoPort)) {
                assertEquals(0, mongo.getDatabase("voip").getCollection("live").countDocuments(),
                        "no pacing slot stored yet: as for calls dialled in the last second before a kill");
            }
        } finally {
            service.destroyForcibly().waitFor();
        }
        long killedAt = System.nanoTime();

        start();

        await().atMost(Duration.ofSeconds(CLAIM_SECONDS + GRACE_SECONDS + 30)).until(() ->
                db().getCollection("calls").countDocuments(new Document("status", "unknown")) == CALLS);
        List<Document> calls = db().getCollection("calls").find().into(new ArrayList<>());
        assertEquals(CALLS, calls.size());
        for (Document call : calls) {
            assertEquals("claim_expired", call.getString("reason"), call.toJson());
            long settledAfter = call.getDate("updatedAt").getTime() - call.getDate("claimedAt").getTime();
            // the claim plus the grace, plus at most a check period and the time the service took to start
            assertEquals(true, settledAfter >= CLAIM_SECONDS * 1000L, call.toJson());
        }
        Response again = callWithKey("crash-0", "09000000000");
        assertEquals(202, again.status(), again.body());
        assertEquals("unknown", again.json().get("status").asText());
        assertEquals(CALLS, pbx.findAll(postRequestedFor(urlPathEqualTo(DIALCALL))).size(), "none dialled twice");
        assertEquals(true, System.nanoTime() - killedAt < (CLAIM_SECONDS + GRACE_SECONDS + 30) * 1_000_000_000L);
    }
}

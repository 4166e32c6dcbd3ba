package voipgateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dial ledger through REST: one dial per Idempotency-Key, whatever the client repeats or races. */
class DialLedgerTest extends GatewayTestSupport {


    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.provider-response-timeout-ms", "1000");
    }

    @Test
    void theSameKeyAgainGetsTheSameAnswerWithoutASecondDial() throws Exception {
        lineThatDials("jwt-1", "1");

        Response first = callWithKey("key-1", "09000000001");
        Response again = callWithKey("key-1", "09000000001");

        assertEquals(201, first.status(), first.body());
        assertEquals(201, again.status());
        assertEquals(first.body(), again.body());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(1, db().getCollection("calls").countDocuments());

        assertEquals(201, callWithKey("key-2", "09000000001").status(), "another key is another call");
        pbx.verify(2, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void theSameKeyWithAnotherBodyIs422() throws Exception {
        lineThatDials("jwt-1", "1");
        assertEquals(201, callWithKey("key-1", "09000000001").status());

        Response other = callWithKey("key-1", "09000000002");

        assertEquals(422, other.status(), other.body());
        assertEquals("Idempotency-Key", JSON.readTree(other.body()).get("field").asText());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }

    @Test
    void concurrentRequestsWithOneKeyDialOnce() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(300)
                .withBody("{\"status\":\"success\",\"call_id\":\"7\"}")));
        providerWithAgent();

        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> callWithKey("race", "09000000001")));
            }
            Set<Integer> statuses = new HashSet<>();
            for (Future<Response> answer : answers) {
                statuses.add(answer.get().status());
            }
            assertTrue(Set.of(201, 409).containsAll(statuses), statuses.toString());
            assertTrue(statuses.contains(201));
        } finally {
            pool.shutdown();
        }

        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        Response settled = callWithKey("race", "09000000001");
        assertEquals(201, settled.status(), "once settled, every repeat gets the stored answer");
        assertEquals("initiated", JSON.readTree(settled.body()).get("status").asText());
        assertEquals(1, db().getCollection("calls").countDocuments());
    }

    @Test
    void aDialWithoutAnAnswerIsUnknownAndNeverRedialled() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withFixedDelay(2500)
                .withBody("{\"status\":\"success\",\"call_id\":\"8\"}")));
        providerWithAgent();

        Response first = callWithKey("slow", "09000000001");
        Response retry = callWithKey("slow", "09000000001");

        assertEquals(202, first.status(), first.body());
        assertEquals("unknown", JSON.readTree(first.body()).get("status").asText());
        assertEquals(first.body(), retry.body());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        Response unknown = send("GET", "/calls?status=unknown", null);
        assertEquals(1, unknown.json().get("items").size());
        assertEquals("unknown", db().getCollection("calls").find().first().getString("status"));
    }

    @Test
    void aDialThatNeverLeftIsReleasedAndTheRetryDials() throws Exception {
        lineThatDials("jwt-1", "9");
        Map<String, Object> unreachable = providerBody();
        unreachable.put("dialEndpoint", "http://127.0.0.1:1/pbxadmin/sanpbxapi/dialcall");
        assertEquals(200, send("POST", "/voip/add-provider", unreachable).status());

        Response refused = callWithKey("retry-me", "09000000001");
        assertEquals(503, refused.status(), refused.body());
        assertEquals("pending", db().getCollection("calls").find().first().getString("status"));

        assertEquals(200, send("POST", "/voip/add-provider", providerBody()).status());
        Response retried = callWithKey("retry-me", "09000000001");

        assertEquals(201, retried.status(), retried.body());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DIALCALL)));
        Document call = db().getCollection("calls").find().first();
        assertEquals("initiated", call.getString("status"));
        assertEquals(1, db().getCollection("calls").countDocuments());
    }
}

package voipgateway;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.apache.camel.test.AvailablePortFinder;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import voipgateway.callbacks.CallbackTokens;
import voipgateway.crypto.CredentialCipher;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MongoDB given by URI (a separate server process stand-in on its own socket), stopped and started again under
 * the running service: a callback that cannot be stored is answered 503 so the provider retries, and the retry
 * is stored once MongoDB is back.
 */
class MongoOutageTest extends GatewayTestSupport {

    private final int mongoPort = AvailablePortFinder.getNextAvailable();
    private Path mongoFile;
    private MongoServer mongo;

    @Override
    protected Map<String, String> properties() {
        if (mongo == null) {
            mongoFile = dataDir.resolve("external-mongo.mv.db");
            startMongo();
        }
        return Map.of("mongodb.uri", "mongodb://127.0.0.1:" + mongoPort,
                "mongodb.server-selection-timeout-ms", "1000");
    }

    private void startMongo() {
        mongo = new MongoServer(new H2Backend(mongoFile.toString()));
        mongo.bind("127.0.0.1", mongoPort);
    }

    @AfterAll
    void stopMongo() {
        mongo.shutdownNow();
    }

    @Test
    void aCallbackIsAnswered503WhileMongoIsDownAndStoredWhenTheProviderRetries() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"4711\"}");
        providerWithAgent();
        String callId = call("09000000001").json().get("id").asText();
        String url = "/callbacks/sanspbx/status?call=" + callId + "&token="
                + new CallbackTokens(new CredentialCipher(KEY)).tokenFor(callId);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("Linkedid", "4711");
        report.put("disposition", "ANSWER");
        report.put("duration", "10");
        report.put("billsec", "8");
        report.put("end_time", "2026-02-14 15:36:08");
        report.put("custom_field", Map.of("record_id", callId));

        mongo.shutdownNow();
        try {
            Response down = send("POST", url, report);
            assertEquals(503, down.status(), down.body());
            assertEquals("storage_unavailable", down.json().get("error").asText());

            pbx.resetRequests();
            Response callWhileDown = call("09000000001");
            assertEquals(503, callWhileDown.status(), callWhileDown.body());
            pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        } finally {
            startMongo();
        }

        Response retried = send("POST", url, report);
        assertEquals(200, retried.status(), retried.body());
        Document stored = db().getCollection("calls").find(new Document("_id", new ObjectId(callId))).first();
        assertEquals("completed", stored.getString("status"));
        assertEquals(1, stored.getList("statusHistory", Document.class).size());
    }
}

package voipgateway;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LOG_FORMAT=json: the shipped "json" appender's layout (log4j2.properties, log-line.json), fed by the running
 * service: one JSON object a line, with the call id, tenant and provider of the exchange that wrote it.
 */
class JsonLogsTest extends GatewayTestSupport {

    private LogCapture json;

    private void captureJson() {
        json = LogCapture.asShipped("json");
    }

    @AfterEach
    void stopCapture() {
        if (json != null) {
            json.close();
        }
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : json.text().split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private JsonNode lineContaining(String text) throws Exception {
        return lines().stream().filter(l -> l.path("message").asText().contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + text + " in " + json.text()));
    }

    @Test
    void aCallsLinesCarryItsIdTenantAndProvider() throws Exception {
        lineThatDials("jwt-1", "12345");
        captureJson();

        Response placed = call("09000000001");
        assertEquals(201, placed.status(), placed.body());
        String callId = placed.json().get("id").asText();
        Response reported = sansPbxCallback(callId, "ANSWER");
        assertEquals(200, reported.status(), reported.body());
        assertEquals(401, sendAs("wrong-key", "GET", "/calls", null, null).status());

        for (String text : new String[] {"[dial] SansPBX: Dialing", "[ok] Call initiated", "[status] SansPBX: call"}) {
            JsonNode line = lineContaining(text);
            assertEquals(callId, line.path("callId").asText(), line.toString());
            assertEquals("default", line.path("tenant").asText(), line.toString());
            assertEquals("SansPBX", line.path("provider").asText(), line.toString());
            assertEquals("INFO", line.path("level").asText());
            assertTrue(line.path("time").asText().endsWith("Z"), line.toString());
            assertFalse(line.path("route").asText().isEmpty(), line.toString());
        }
        // a line of no call has no call fields (nothing left over from an earlier exchange on the same thread)
        JsonNode refused = lineContaining("[refused] 401");
        assertFalse(refused.has("callId") || refused.has("provider") || refused.has("tenant"), refused.toString());
    }

    @Test
    void credentialShapedTextIsMaskedInJsonToo() throws Exception {
        captureJson();
        LoggerFactory.getLogger("voipgateway.test").info("a library printed Bearer abc.def and eyJhbGciOi.eyJzdWIi.c2ln");

        String message = lineContaining("a library printed").path("message").asText();
        assertEquals("a library printed Bearer *** and ***", message);
    }
}

package voipgateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /calls/{id}/hangup through the call's SansPBX account (calldisconnect), played by WireMock. */
class HangupTest extends GatewayTestSupport {

    private static final String DISCONNECT = "/pbxadmin/sanpbxapi/calldisconnect";

    private String placedCall() throws Exception {
        lineThatDials("jwt-1", "12345");
        Response placed = call("09000000001");
        assertEquals(201, placed.status(), placed.body());
        return placed.json().get("id").asText();
    }

    private void pbxDisconnects(String answer) {
        pbx.stubFor(post(urlPathEqualTo(DISCONNECT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(answer)));
    }

    private Response hangUp(String callId) throws Exception {
        return send("POST", "/calls/" + callId + "/hangup", Map.of());
    }

    @Test
    void asksThePbxOnceWithTheCallsIdAndTheStatusMovesWhenThePbxReportsTheEnd() throws Exception {
        String callId = placedCall();
        pbxDisconnects("{\"status\":\"success\"}");

        Response first = hangUp(callId);
        assertEquals(202, first.status(), first.body());
        assertEquals("initiated", first.json().get("status").asText());
        assertTrue(first.json().hasNonNull("hangupRequestedAt"), first.body());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DISCONNECT))
                .withHeader("Apitoken", equalTo("jwt-1"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"callid\": \"12345\"}")));

        // asked again (a client's retry): the same answer, the PBX is not asked twice
        Response again = hangUp(callId);
        assertEquals(202, again.status(), again.body());
        assertEquals(first.json().get("hangupRequestedAt"), again.json().get("hangupRequestedAt"));

        assertEquals(200, sansPbxCallback(callId, "ANSWER").status());
        Response stored = send("GET", "/calls/" + callId, null);
        assertEquals("completed", stored.json().get("status").asText());
        // after the end, still the same answer for the hang-up that ended it
        assertEquals(202, hangUp(callId).status());
        pbx.verify(1, postRequestedFor(urlPathEqualTo(DISCONNECT)));
    }

    @Test
    void aCallThatEndedIsA409AndThePbxIsNotAsked() throws Exception {
        String callId = placedCall();
        pbxDisconnects("{\"status\":\"success\"}");
        assertEquals(200, sansPbxCallback(callId, "BUSY").status());

        Response ended = hangUp(callId);

        assertEquals(409, ended.status(), ended.body());
        assertEquals("call_ended", ended.json().get("error").asText());
        assertEquals("id", ended.json().get("field").asText());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DISCONNECT)));
    }

    @Test
    void aRefusalIsA502AndNothingIsRecordedSoTheClientMayTryAgain() throws Exception {
        String callId = placedCall();
        pbxDisconnects("{\"status\":\"failed\",\"message\":\"no such call\"}");

        Response refused = hangUp(callId);
        assertEquals(502, refused.status(), refused.body());
        assertEquals("provider_refused", refused.json().get("error").asText());
        assertTrue(refused.json().get("message").asText().startsWith("SansPBX: Hang-up failed"), refused.body());
        assertFalse(refused.body().contains("no such call"), "the PBX's own words are logged, not answered");
        assertTrue(capturedLogs().contains("no such call"), "they are logged");
        assertFalse(send("GET", "/calls/" + callId, null).json().has("hangupRequestedAt"));

        pbxDisconnects("{\"status\":\"success\"}");
        assertEquals(202, hangUp(callId).status());
        pbx.verify(2, postRequestedFor(urlPathEqualTo(DISCONNECT)));
    }

    @Test
    void anUnknownOrMalformedCallIdIsA404AsForGet() throws Exception {
        placedCall();
        assertEquals(404, hangUp("507f1f77bcf86cd799439099").status());
        Response malformed = hangUp("not-an-id");
        assertEquals(404, malformed.status(), malformed.body());
        assertEquals("id", malformed.json().get("field").asText());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DISCONNECT)));
    }
}

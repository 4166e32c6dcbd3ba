package voipgateway.flows;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import voipgateway.api.ProviderRefusedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * POST /calls/{id}/hangup ({@code hangup-call.yaml}) on a call placed through the dial flow: the provider (a route
 * of the test's) is asked once, whatever the client repeats; an ended call is 409; a refusal is taken back so the
 * client may try again.
 */
class HangupFlowTest extends FlowTestSupport {

    @Override
    List<String> routeFiles() {
        return List.of("place-outbound-call.yaml", "hangup-call.yaml");
    }

    /** A call the provider took (call id pbx-1). */
    private String placedCall() throws Exception {
        lineAndRulesGiven();
        accountGiven("open-call-account");
        context.start();
        Exchange placed = call("key-1");
        assertEquals(201, status(placed), body(placed));
        return json(placed).get("id").asText();
    }

    private Exchange hangUp(String callId) {
        return request("direct:hangup-call", exchange -> {
            exchange.getMessage().setHeader("Authorization", "Bearer " + API_KEY);
            exchange.getMessage().setHeader("id", callId);
        });
    }

    /** The call's end as its provider's callback writes it. */
    private void ended(String callId, String status) {
        calls.updateOne(new Document("_id", new ObjectId(callId)), new Document("$set", new Document("status", status)
                .append("statusRank", 4)).append("$inc", new Document("version", 1)));
    }

    @Test
    void asksTheProviderOnceWithTheCallAndAnswersTheSameAgainEvenAfterTheEnd() throws Exception {
        String callId = placedCall();
        MockEndpoint hangups = getMockEndpoint("mock:provider-hangup");

        Exchange first = hangUp(callId);
        assertEquals(202, status(first), body(first));
        assertEquals("initiated", json(first).get("status").asText());
        assertTrue(json(first).hasNonNull("hangupRequestedAt"), body(first));
        assertEquals(1, hangups.getReceivedCounter());
        Exchange asked = hangups.getReceivedExchanges().get(0);
        assertEquals("pbx-1", asked.getProperty("providerCallId"), "the adapter is given the provider's call id");
        assertEquals(account, asked.getProperty("account"));

        // asked again (a client's retry): the same answer, the provider is not asked twice
        Exchange again = hangUp(callId);
        assertEquals(202, status(again), body(again));
        assertEquals(json(first).get("hangupRequestedAt"), json(again).get("hangupRequestedAt"));

        ended(callId, "completed");
        Exchange afterTheEnd = hangUp(callId);
        assertEquals(202, status(afterTheEnd), "the hang-up that ended it is still answered");
        assertEquals(1, hangups.getReceivedCounter());
    }

    @Test
    void aCallThatEndedIsA409AndTheProviderIsNotAsked() throws Exception {
        String callId = placedCall();
        ended(callId, "busy");

        Exchange answer = hangUp(callId);

        assertEquals(409, status(answer), body(answer));
        assertEquals("call_ended", json(answer).get("error").asText());
        assertEquals("id", json(answer).get("field").asText());
        assertEquals(0, getMockEndpoint("mock:provider-hangup").getReceivedCounter());
    }

    @Test
    void aRefusalIsA502AndNothingIsRecordedSoTheClientMayTryAgain() throws Exception {
        String callId = placedCall();
        provider = exchange -> {
            throw new ProviderRefusedException("Test", "Hang-up failed", 200, "no such call");
        };

        Exchange refused = hangUp(callId);
        assertEquals(502, status(refused), body(refused));
        assertEquals("provider_refused", json(refused).get("error").asText());
        assertFalse(body(refused).contains("no such call"), "the provider's own words are logged, not answered");
        assertTrue(capturedLogs().contains("no such call"), capturedLogs());
        assertFalse(calls.find().first().containsKey("hangupRequestedAt"), "the request is taken back");

        provider = exchange -> {
        };
        assertEquals(202, status(hangUp(callId)));
        assertEquals(2, getMockEndpoint("mock:provider-hangup").getReceivedCounter());
    }

    @Test
    void anUnknownMalformedOrAnotherTenantsCallIdIsA404() throws Exception {
        String callId = placedCall();
        calls.updateOne(new Document("_id", new ObjectId(callId)), new Document("$set", new Document("userId",
                "tenant-b")));

        for (String id : new String[] {callId, "507f1f77bcf86cd799439099", "not-an-id"}) {
            Exchange answer = hangUp(id);
            assertEquals(404, status(answer), id + " -> " + body(answer));
            assertEquals("id", json(answer).get("field").asText());
        }
        assertEquals(0, getMockEndpoint("mock:provider-hangup").getReceivedCounter());
    }
}

package voipgateway.flows;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.BeanDefinition;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import voipgateway.calls.Verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST dial flow as its routes ship ({@code place-outbound-call.yaml}) with its real beans, the agent's line and
 * the calling rules given, the adapter a mock endpoint: what the client gets, what is stored, and how often the
 * provider is asked, also when the routes are edited so that their steps come out of order.
 */
class DialFlowTest extends FlowTestSupport {

    @Override
    List<String> routeFiles() {
        return List.of("place-outbound-call.yaml");
    }

    @Test
    void aCallIsDialledOnceAndTheSameKeyAgainGetsTheStoredAnswer() throws Exception {
        lineAndRulesGiven();
        context.start();
        MockEndpoint provider = getMockEndpoint("mock:provider");
        NotifyBuilder dialled = new NotifyBuilder(context).fromRoute("place-outbound-call").whenCompleted(2)
                .create();

        Exchange first = call("key-1");
        Exchange again = call("key-1");

        assertTrue(dialled.matchesWaitTime());
        assertEquals(201, status(first), body(first));
        assertEquals(body(first), body(again));
        provider.expectedMessageCount(1);
        provider.assertIsSatisfied();
        Document stored = calls.find().first();
        assertEquals("initiated", stored.getString("status"));
        assertEquals("pbx-1", stored.getString("providerCallId"));
    }

    @Test
    void aCallTheRulesRefuseIsStoredRefusedAndNeverDialled() throws Exception {
        lineAndRulesGiven();
        context.start();
        verdict = new Verdict("refuse", "dnc", "the number is on the do-not-call list", null);

        Exchange answer = call("key-1");

        assertEquals(422, status(answer), body(answer));
        assertTrue(body(answer).contains("\"reason\":\"dnc\""), body(answer));
        assertEquals("refused", calls.find().first().getString("status"));
        getMockEndpoint("mock:outcomes").expectedMessageCount(1);
        getMockEndpoint("mock:provider").expectedMessageCount(0);
        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void aRouteEditedToDialTwiceStillDialsOnce() throws Exception {
        lineAndRulesGiven();
        AdviceWith.adviceWith(context, "dial-claimed-call", route -> route.weaveByType(BeanDefinition.class)
                .selectIndex(1).after().bean("dialLedger", "dial"));
        context.start();

        Exchange answer = call("key-1");

        getMockEndpoint("mock:provider").expectedMessageCount(1);
        MockEndpoint.assertIsSatisfied(context);
        // the second dial was refused after the first went out, so its answer was never stored: the call's outcome
        // is unknown (the provider's callback tells), and it is never dialled again, for this key or any other
        assertEquals(202, status(answer), body(answer));
        assertEquals("unknown", calls.find().first().getString("status"));
        assertEquals(202, status(call("key-1")));
        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void aRouteEditedToDialWithoutTheClaimDialsNothing() throws Exception {
        lineAndRulesGiven();
        AdviceWith.adviceWith(context, "dial-once", route -> route.weaveByType(BeanDefinition.class).selectFirst()
                .remove());
        context.start();

        Exchange answer = call("key-1");

        assertEquals(500, status(answer), body(answer));
        getMockEndpoint("mock:provider").expectedMessageCount(0);
        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void aRouteEditedToSettleBeforeTheDialDialsNothingAndReleasesTheCall() throws Exception {
        lineAndRulesGiven();
        AdviceWith.adviceWith(context, "dial-claimed-call", route -> {
            route.weaveByType(BeanDefinition.class).selectIndex(2).remove();
            route.weaveByType(BeanDefinition.class).selectIndex(1).before().bean("dialLedger", "initiated");
        });
        context.start();

        Exchange answer = call("key-1");

        assertEquals(500, status(answer), body(answer));
        getMockEndpoint("mock:provider").expectedMessageCount(0);
        MockEndpoint.assertIsSatisfied(context);
        Document stored = calls.find().first();
        assertEquals("pending", stored.getString("status"), "released for a retry with its key");
    }
}

package voipgateway.flows;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One dial per Idempotency-Key, whatever the client repeats or races, and whatever became of the dial: the REST
 * flow ({@code place-outbound-call.yaml}) with the provider a mock endpoint that takes its time, times out or
 * cannot be reached.
 */
class IdempotentDialFlowTest extends FlowTestSupport {

    private static final String OTHER_NUMBER = "{\"agentId\":\"agent-1\",\"leadId\":\"lead-1\",\"toPhone\":\"09000000002\"}";

    @Override
    List<String> routeFiles() {
        return List.of("place-outbound-call.yaml");
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndAnotherKeyIsAnotherCall() throws Exception {
        lineAndRulesGiven();
        context.start();
        MockEndpoint dials = getMockEndpoint("mock:provider");
        assertEquals(201, status(call("key-1")));

        Exchange other = call("key-1", OTHER_NUMBER);

        assertEquals(422, status(other), body(other));
        assertEquals("Idempotency-Key", json(other).get("field").asText());
        assertEquals(1, dials.getReceivedCounter());
        assertEquals(201, status(call("key-2")));
        assertEquals(2, dials.getReceivedCounter());
        assertEquals(2, calls.countDocuments());
    }

    @Test
    void concurrentRequestsWithOneKeyDialOnce() throws Exception {
        lineAndRulesGiven();
        context.start();
        provider = exchange -> Thread.sleep(300);

        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<Exchange>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> call("race")));
            }
            Set<Integer> statuses = new HashSet<>();
            for (Future<Exchange> answer : answers) {
                statuses.add(status(answer.get()));
            }
            assertTrue(Set.of(201, 409).containsAll(statuses), statuses.toString());
            assertTrue(statuses.contains(201), statuses.toString());
        } finally {
            pool.shutdown();
        }

        assertEquals(1, getMockEndpoint("mock:provider").getReceivedCounter());
        Exchange settled = call("race");
        assertEquals(201, status(settled), "once settled, every repeat gets the stored answer");
        assertEquals("initiated", json(settled).get("status").asText());
        assertEquals(1, calls.countDocuments());
    }

    @Test
    void aDialWithoutAnAnswerIsUnknownAndNeverRedialled() throws Exception {
        lineAndRulesGiven();
        context.start();
        provider = exchange -> {
            throw new TimeoutException("the provider did not answer in time");
        };

        Exchange first = call("slow");
        Exchange retry = call("slow");

        assertEquals(202, status(first), body(first));
        assertEquals("unknown", json(first).get("status").asText());
        assertEquals(body(first), body(retry));
        assertEquals(1, getMockEndpoint("mock:provider").getReceivedCounter());
        assertEquals("unknown", calls.find().first().getString("status"));
    }

    @Test
    void aDialThatNeverLeftIsReleasedAndTheRetryDials() throws Exception {
        lineAndRulesGiven();
        context.start();
        provider = exchange -> {
            exchange.setProperty("dialSent", false);
            throw new ConnectException("Connection refused");
        };

        Exchange refused = call("retry-me");
        assertEquals(503, status(refused), body(refused));
        assertEquals("provider_unavailable", json(refused).get("error").asText());
        assertEquals("pending", calls.find().first().getString("status"));

        provider = exchange -> {
        };
        Exchange retried = call("retry-me");

        assertEquals(201, status(retried), body(retried));
        Document call = calls.find().first();
        assertEquals("initiated", call.getString("status"));
        assertEquals("pbx-1", call.getString("providerCallId"));
        assertEquals(1, calls.countDocuments());
    }
}

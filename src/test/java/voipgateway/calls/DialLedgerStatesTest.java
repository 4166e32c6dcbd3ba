package voipgateway.calls;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import voipgateway.ExternalMongo;
import voipgateway.Schema;
import voipgateway.api.ApiException;
import voipgateway.api.ErrorResponses;
import voipgateway.api.ProviderRefusedException;
import voipgateway.crypto.CredentialCipher;
import voipgateway.providers.ProviderAccount;
import voipgateway.storage.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dial's state machine, step by step (the ledger's Java API against a MongoDB wire server over a socket; the
 * adapter a route that counts the dials it is asked for): every transition, every race, every step out of order.
 */
class DialLedgerStatesTest {

    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Verdict REFUSE = new Verdict("refuse", "dnc", "the number is on the do-not-call list", null);

    @TempDir
    Path dir;

    private ExternalMongo server;
    private MongoClient client;
    private MongoCollection<Document> calls;
    private CamelContext camel;
    private DialLedger ledger;
    private final AtomicInteger dials = new AtomicInteger();
    /** What the stand-in adapter does next: null answers call id "pbx-<n>". */
    private volatile Exception adapterFailure;
    private final ProviderAccount account = new ProviderAccount(new ObjectId().toHexString(), 1, "Test", "test",
            Map.of(), List.of(), ProviderAccount.Limits.NONE);
    private final Document number = new Document("phoneNumber", "6000001").append("provider", "Test");

    @BeforeEach
    void start() throws Exception {
        server = new ExternalMongo(dir.resolve("mongo.h2"));
        client = MongoClients.create(server.uri());
        MongoDatabase db = client.getDatabase("voip");
        Schema.prepare(db);
        calls = db.getCollection(Collections.CALLS);
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:test-dial").process(exchange -> {
                    int n = dials.incrementAndGet();
                    exchange.setProperty("dialSent", true);
                    if (adapterFailure != null) {
                        throw adapterFailure;
                    }
                    exchange.setProperty("providerCallId", "pbx-" + n);
                });
            }
        });
        camel.start();
        CallVersions versions = new CallVersions(calls);
        CallStore store = new CallStore("", "https://gateway.example/callbacks/{provider}/status",
                new CallbackTokens(new CredentialCipher("a test key of enough length")));
        ledger = new DialLedger(LEASE, calls, versions, store, Clock.systemUTC(), camel);
    }

    @AfterEach
    void stop() {
        camel.stop();
        client.close();
        server.stop();
    }

    @Test
    void aNewKeyIsClaimedDialledOnceAndSettledInitiated() throws Exception {
        Exchange request = request("key-1", "09000000001");

        DialTicket ticket = ledger.claim(req(request), "key-1", "tenant-a", number, account, Verdict.DIAL, request);
        assertTrue(ticket.claimed());
        assertTrue(ticket.holdsClaim());
        Document entry = stored(ticket);
        assertEquals("dialing", entry.getString("status"));
        assertEquals(ticket.claim(), entry.getString("claim"));

        dial(ticket, request);
        ledger.initiated(ticket, "pbx-1", null, request.getProperty("call", Document.class), request);

        assertFalse(ticket.holdsClaim());
        assertEquals(1, dials.get());
        Document call = stored(ticket);
        assertEquals("initiated", call.getString("status"));
        assertEquals("pbx-1", call.getString("providerCallId"));
        assertNull(call.get("claim"));
        assertEquals(201, request.getProperty("storedResponse", Document.class).getInteger("status"));
        assertEquals(ticket.callId().toHexString(), request.getProperty("dial", DialRequest.class).recordId());
    }

    @Test
    void theSameKeyAgainIsAnsweredFromTheLedgerAndNeverDialled() throws Exception {
        Exchange first = request("key-1", "09000000001");
        DialTicket ticket = claim(first, Verdict.DIAL);

        ApiException inFlight = assertThrows(ApiException.class, () -> claim(request("key-1", "09000000001"), Verdict.DIAL));
        assertEquals(409, inFlight.status());

        dial(ticket, first);
        ledger.initiated(ticket, "pbx-1", null, first.getProperty("call", Document.class), first);
        Exchange again = request("key-1", "09000000001");
        DialTicket replay = claim(again, Verdict.DIAL);

        assertEquals(DialTicket.Outcome.ANSWERED, replay.outcome());
        assertFalse(replay.holdsClaim());
        assertEquals(first.getProperty("storedResponse"), again.getProperty("storedResponse"));
        ApiException reused = assertThrows(ApiException.class, () -> claim(request("key-1", "09000000002"), Verdict.DIAL));
        assertEquals(422, reused.status());
        assertEquals(1, dials.get());
        assertEquals(1, calls.countDocuments());
    }

    @Test
    void aRefusalOfTheRulesIsTheEntrysOutcomeInItsOneWrite() {
        Exchange request = request("key-1", "09000000001");

        DialTicket ticket = claim(request, REFUSE);

        assertTrue(ticket.ruled());
        assertFalse(ticket.holdsClaim());
        assertEquals("refused", stored(ticket).getString("status"));
        assertEquals(422, request.getProperty("storedResponse", Document.class).getInteger("status"));
        assertThrows(DialOrderException.class, () -> dial(ticket, request));
        assertEquals(0, dials.get());
    }

    @Test
    void aFailureBeforeTheDialReleasesTheEntryForTheNextRequestWithItsKey() throws Exception {
        Exchange first = request("key-1", "09000000001");
        DialTicket ticket = claim(first, Verdict.DIAL);
        fail(first, ticket, new ConnectException("Connection refused"), false);
        assertEquals("pending", stored(ticket).getString("status"));
        assertEquals(DialChanges.RELEASED, stored(ticket).getString("claim"));
        assertNull(first.getProperty("storedResponse"), "nothing final to answer: the failure goes to the client");

        Exchange retry = request("key-1", "09000000001");
        DialTicket taken = claim(retry, Verdict.DIAL);

        assertTrue(taken.claimed());
        assertEquals(ticket.callId(), taken.callId());
        assertEquals("dialing", stored(taken).getString("status"));
        assertEquals(taken.claim(), stored(taken).getString("claim"));
    }

    @Test
    void aReleasedEntryTheRulesNowRefuseIsRefusedNotDialled() {
        Exchange first = request("key-1", "09000000001");
        DialTicket ticket = claim(first, Verdict.DIAL);
        fail(first, ticket, new ConnectException("Connection refused"), false);

        Exchange retry = request("key-1", "09000000001");
        DialTicket ruled = claim(retry, REFUSE);

        assertTrue(ruled.ruled());
        assertEquals("refused", stored(ruled).getString("status"));
        assertEquals(422, retry.getProperty("storedResponse", Document.class).getInteger("status"));
    }

    @Test
    void withoutARetryPossibleAFailureBeforeTheDialIsFinalAndARefusalAlways() {
        Exchange once = request(null, "09000000001");
        once.setProperty("retryable", false);
        DialTicket ticket = ledger.claim(req(once), "auto-1", "tenant-a", number, account, Verdict.DIAL, once);
        fail(once, ticket, new ConnectException("Connection refused"), false);
        assertEquals("failed", stored(ticket).getString("status"));

        Exchange refused = request("key-2", "09000000001");
        DialTicket second = claim(refused, Verdict.DIAL);
        fail(refused, second, new ProviderRefusedException("the provider refused the call"), true);
        assertEquals("failed", stored(second).getString("status"));
    }

    @Test
    void aDialSentButNotAnsweredIsUnknownAndNeverDialledAgain() throws Exception {
        Exchange first = request("key-1", "09000000001");
        DialTicket ticket = claim(first, Verdict.DIAL);
        adapterFailure = new SocketTimeoutException("Read timed out");
        dial(ticket, first);
        assertTrue(first.getException() instanceof SocketTimeoutException);
        fail(first, ticket, first.getException(), true);

        assertEquals("unknown", stored(ticket).getString("status"));
        assertEquals(202, first.getProperty("storedResponse", Document.class).getInteger("status"));
        assertEquals(DialTicket.Outcome.ANSWERED, claim(request("key-1", "09000000001"), Verdict.DIAL).outcome());
        assertEquals(1, dials.get());
    }

    @Test
    void aClaimThatExpiredWhileDialingIsSettledUnknownByTheNextRequest() throws Exception {
        Exchange first = request("key-1", "09000000001");
        DialTicket ticket = claim(first, Verdict.DIAL);
        calls.updateOne(new Document("_id", ticket.callId()), new Document("$set",
                new Document("claimedAt", Date.from(Instant.now().minus(LEASE).minusSeconds(1)))));

        Exchange again = request("key-1", "09000000001");
        DialTicket settled = claim(again, Verdict.DIAL);

        assertEquals(DialTicket.Outcome.ANSWERED, settled.outcome());
        assertEquals("unknown", stored(settled).getString("status"));
        assertEquals(DialChanges.CLAIM_EXPIRED, stored(settled).getString("reason"));
        // the first request's answer, late: only the provider's call id is kept
        dial(ticket, first);
        ledger.initiated(ticket, "pbx-1", null, first.getProperty("call", Document.class), first);
        assertEquals("initiated", stored(ticket).getString("status"));
        assertEquals("pbx-1", stored(ticket).getString("providerCallId"));
    }

    @Test
    void requestsRacingForAReleasedEntryLetOneDial() throws Exception {
        Exchange first = request("key-1", "09000000001");
        fail(first, claim(first, Verdict.DIAL), new ConnectException("Connection refused"), false);

        List<Object> outcomes = race(20, this::claimKey1);

        assertEquals(1, outcomes.stream().filter(DialTicket.Outcome.DIAL::equals).count(), outcomes.toString());
        assertTrue(outcomes.stream().allMatch(o -> o == DialTicket.Outcome.DIAL || Integer.valueOf(409).equals(o)),
                outcomes.toString());
    }

    @Test
    void requestsRacingWithANewKeyCreateOneEntryAndLetOneDial() throws Exception {
        List<Object> outcomes = race(20, this::claimKey1);

        assertEquals(1, outcomes.stream().filter(DialTicket.Outcome.DIAL::equals).count(), outcomes.toString());
        assertTrue(outcomes.stream().allMatch(o -> o == DialTicket.Outcome.DIAL || Integer.valueOf(409).equals(o)),
                outcomes.toString());
        assertEquals(1, calls.countDocuments());
    }

    @Test
    void theDialsAnswerLosingARaceToAStatusCallbackIsComputedAgainAndKeepsTheStatus() throws Exception {
        Exchange request = request("key-1", "09000000001");
        DialTicket ticket = claim(request, Verdict.DIAL);
        dial(ticket, request);
        // a callback overtook the answer: the call moved on (its version too) after the ledger last read it
        calls.updateOne(new Document("_id", ticket.callId()), new Document("$set", new Document("status", "answered")
                .append("statusRank", 3)).append("$inc", new Document(CallVersions.VERSION, 1)));

        ledger.initiated(ticket, "pbx-1", null, request.getProperty("call", Document.class), request);

        Document call = stored(ticket);
        assertEquals("answered", call.getString("status"));
        assertEquals("pbx-1", call.getString("providerCallId"));
        assertEquals(3, call.getInteger(CallVersions.VERSION));
        assertTrue(request.getProperty("storedResponse", Document.class).getString("body").contains("answered"));
    }

    @Test
    void stepsOutOfOrderAreRefusedBeforeTheyDoAnything() throws Exception {
        Exchange request = request("key-1", "09000000001");
        assertThrows(DialOrderException.class, () -> dial(null, request), "a dial without a claim");

        DialTicket ticket = claim(request, Verdict.DIAL);
        assertThrows(DialOrderException.class, () -> ledger.initiated(ticket, "pbx-1", null, null, request),
                "settled before the dial");
        dial(ticket, request);
        assertThrows(DialOrderException.class, () -> dial(ticket, request), "a second dial");
        ledger.initiated(ticket, "pbx-1", null, request.getProperty("call", Document.class), request);
        assertThrows(DialOrderException.class, () -> ledger.initiated(ticket, "pbx-2", null, null, request),
                "settled twice");
        Document settled = stored(ticket);
        fail(request, ticket, new ConnectException("late"), true);

        assertEquals(1, dials.get());
        assertEquals(settled, stored(ticket), "a failure after the outcome is stored changes nothing");
    }

    @Test
    void instancesRacingForAScheduledCallLetOneDialAndThePutBackReturnsIt() throws Exception {
        Exchange first = request("key-1", "09000000001");
        DialTicket scheduled = claim(first, new Verdict("schedule", "outside_calling_window", "later",
                Instant.now().plusSeconds(60)));
        assertEquals("scheduled", stored(scheduled).getString("status"));

        List<Object> outcomes = race(10, () -> {
            Exchange look = request(null, "09000000001");
            return ledger.claimScheduled(scheduled.callId(), null, Verdict.DIAL, look);
        });

        List<DialTicket> won = outcomes.stream().map(DialTicket.class::cast).filter(DialTicket::claimed).toList();
        assertEquals(1, won.size(), outcomes.toString());
        assertTrue(outcomes.stream().map(DialTicket.class::cast).filter(t -> !t.claimed())
                .allMatch(t -> t.outcome() == DialTicket.Outcome.TAKEN));
        assertEquals("dialing", stored(scheduled).getString("status"));

        Exchange look = request(null, "09000000001");
        ledger.putBack(won.get(0), null, look);
        assertEquals("scheduled", stored(scheduled).getString("status"));
        assertNull(stored(scheduled).get("claim"));
        assertThrows(DialOrderException.class, () -> dial(won.get(0), look), "put back: no longer claimed");
    }

    /** A request with key-1: the claim's outcome, or the HTTP status of its refusal. */
    private Object claimKey1() {
        try {
            return claim(request("key-1", "09000000001"), Verdict.DIAL).outcome();
        } catch (RuntimeException e) {
            // a duplicate key of two upserts at once is a 409 too
            return ErrorResponses.toApiException(e).status();
        }
    }

    private DialTicket claim(Exchange exchange, Verdict verdict) {
        return ledger.claim(req(exchange), exchange.getProperty("dialKey", String.class), "tenant-a", number, account,
                verdict, exchange);
    }

    private void dial(DialTicket ticket, Exchange exchange) throws Exception {
        ledger.dial(ticket, req(exchange), number, account, exchange).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private void fail(Exchange exchange, DialTicket ticket, Exception cause, boolean sent) {
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, cause);
        ledger.settleFailure(ticket, sent, exchange.getProperty("retryable", Boolean.class), null,
                exchange.getProperty("call", Document.class), exchange);
    }

    private Exchange request(String key, String toPhone) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("dialKey", key);
        exchange.setProperty("retryable", key != null);
        exchange.setProperty("request", new OutboundCallRequest("agent-1", "lead-1", toPhone,
                "0" + toPhone.substring(1), "promotional", false, null));
        return exchange;
    }

    private static OutboundCallRequest req(Exchange exchange) {
        return exchange.getProperty("request", OutboundCallRequest.class);
    }

    private Document stored(DialTicket ticket) {
        return calls.find(new Document("_id", ticket.callId())).first();
    }

    private static List<Object> race(int requests, Callable<Object> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return request.call();
                }));
            }
            go.countDown();
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> future : futures) {
                outcomes.add(future.get(60, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}

package voipgateway.calls;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.providers.ProviderAccount;
import voipgateway.routes.AsyncRoute;
import voipgateway.storage.MongoRequests;

/**
 * The dial ledger, the one owner of a dial's state: every outbound call request is written to {@code calls} under
 * its idempotency key (unique per tenant) before the provider hears of it, and only the request that holds the
 * entry's claim may dial it, once. The same key again gets the stored result; a different body with it, 422;
 * while the first is in flight, 409. A dial whose answer never came is {@code unknown}: settled by the provider's
 * callback or an operator, never retried blindly.
 *
 * <p>The routes call its steps in order (claim, dial, settle: see {@code place-outbound-call.yaml}); each step
 * moves the request's {@link DialTicket} on and refuses to run out of that order. Every write after the claim is a
 * compare-and-set on the call's version ({@link CallVersions}). Exchange properties it reads: {@code request},
 * {@code dialKey}, {@code tenantId}, {@code number}, {@code account}, {@code verdict}, {@code providerCallId},
 * {@code slot}, {@code dialSent}, {@code retryable}; it writes {@code dialTicket}, {@code callId}, {@code call},
 * {@code callApplied}, {@code dial} (the adapter's input) and {@code storedResponse} (the answer).
 */
public class DialLedger {

    public static final String DEFAULT_TENANT = "default";
    /** Property: a campaign's lead being dialled ({@code campaignId}, {@code campaignLead}, {@code campaignAttempt}). */
    public static final String CAMPAIGN_CALL = "campaignCall";
    private static final FindOneAndUpdateOptions UPSERT = new FindOneAndUpdateOptions().upsert(true)
            .returnDocument(ReturnDocument.AFTER);

    /** How long a claim holds before a retry may look at it again (longer than any provider request). */
    private final Duration lease;
    private final MongoCollection<Document> calls;
    private final CallVersions versions;
    private final CallStore callStore;
    private final Clock clock;
    private final CamelContext camel;
    private final CallEvents events;
    /** Each adapter's dial route ({@code direct:<adapter>-dial}), called without holding the thread. */
    private final Map<String, AsyncRoute> adapters = new ConcurrentHashMap<>();

    public DialLedger(Duration lease, MongoCollection<Document> calls, CallVersions versions, CallStore callStore,
            Clock clock, CamelContext camel) {
        this(lease, calls, versions, callStore, clock, camel, CallEvents.NONE);
    }

    public DialLedger(Duration lease, MongoCollection<Document> calls, CallVersions versions, CallStore callStore,
            Clock clock, CamelContext camel, CallEvents events) {
        this.events = events;
        this.lease = lease;
        this.calls = calls;
        this.versions = versions;
        this.callStore = callStore;
        this.clock = clock;
        this.camel = camel;
    }

    /**
     * The request's key (property {@code dialKey}): REST's Idempotency-Key header; without one a fresh key, and
     * then nobody can retry the request, so a failure before the dial is final rather than released.
     */
    public void keyOf(@Header("Idempotency-Key") String key, Exchange exchange) {
        if (key != null && !key.matches("[\\x21-\\x7e]{1,128}")) {
            throw ApiException.badRequest("Idempotency-Key", "Idempotency-Key must be 1-128 printable characters");
        }
        exchange.setProperty("dialKey", key != null ? key : "auto-" + UUID.randomUUID());
        // what the call's events name it by
        exchange.setProperty("requestId", key);
        exchange.setProperty("retryable", key != null);
    }

    /**
     * Claims the request's entry: creates it unless one exists for this key, in one upsert that answers the entry
     * as stored (a new entry is dialing under this request's claim, or refused or scheduled as the rules said: the
     * one write before the provider hears of the call). An entry found is replayed, taken over (released for a
     * retry), or settled as unknown (its claim expired while dialing), else 422 (same key, another request) or
     * 409 (still in flight).
     */
    public DialTicket claim(@ExchangeProperty("request") OutboundCallRequest request,
            @ExchangeProperty("dialKey") String key, @ExchangeProperty("tenantId") String tenant,
            @ExchangeProperty("number") Document number, @ExchangeProperty("account") ProviderAccount account,
            @ExchangeProperty("verdict") Verdict verdict, Exchange exchange) {
        ObjectId id = new ObjectId();
        String claim = UUID.randomUUID().toString();
        Document entry = DialChanges.entry(id, claim, request, number, new ObjectId(account.id()), verdict);
        Document campaign = exchange.getProperty(CAMPAIGN_CALL, Document.class);
        if (campaign != null) {
            entry.putAll(campaign);
        }
        events.withEvent(tenant, entry);
        // {userId, idempotencyKey} is a unique index: one lookup, and at most one entry per key
        Document found = calls.findOneAndUpdate(MongoRequests.match("userId", tenant, "idempotencyKey", key),
                Updates.combine(entry.entrySet().stream().map(e -> Updates.setOnInsert(e.getKey(), e.getValue()))
                        .toList()), UPSERT);
        exchange.setProperty("call", found);
        exchange.setProperty("callId", found.getObjectId("_id"));
        if (found.getObjectId("_id").equals(id)) {
            events.written(found);
        }
        DialTicket ticket = decide(found, id, claim, request, verdict, exchange);
        exchange.setProperty("dialTicket", ticket);
        if (exchange.getProperty("storedResponse") == null) {
            useStoredResponse(exchange.getProperty("call", Document.class), exchange);
        }
        return ticket;
    }

    private DialTicket decide(Document found, ObjectId mine, String claim, OutboundCallRequest request,
            Verdict verdict, Exchange exchange) {
        ObjectId id = found.getObjectId("_id");
        if (id.equals(mine)) {
            return found.get("response") != null ? DialTicket.settled(id, DialTicket.Outcome.RULED)
                    : DialTicket.claimed(id, claim);
        }
        if (!DialChanges.hash(request).equals(found.getString("requestHash"))) {
            throw new ApiException(422, "idempotency_key_reused", "Idempotency-Key",
                    "this Idempotency-Key was used for a different request");
        }
        if (found.get("response") != null) {
            return DialTicket.settled(id, DialTicket.Outcome.ANSWERED);
        }
        String status = found.getString("status");
        String seen = found.getString("claim");
        boolean expired = DialChanges.expired(found, lease, clock.instant());
        if (CallLifecycle.PENDING.equals(status) && (DialChanges.RELEASED.equals(seen) || expired)) {
            // asked again after its first try failed: the calling rules as they are now decide
            if (verdict == null || verdict.dial()) {
                requireWon(write(id, found, DialChanges.takeOver(seen, claim), exchange));
                return DialTicket.claimed(id, claim);
            }
            requireWon(write(id, found, DialChanges.ruleReleased(seen, verdict), exchange));
            return DialTicket.settled(id, DialTicket.Outcome.RULED);
        }
        if (CallLifecycle.DIALING.equals(status) && expired) {
            // the provider may have placed it: never dialled again
            requireWon(write(id, found, DialChanges.settleExpired(seen, lease), exchange));
            return DialTicket.settled(id, DialTicket.Outcome.ANSWERED);
        }
        if (!CallLifecycle.PENDING.equals(status) && !CallLifecycle.DIALING.equals(status)) {
            // a final state whose stored answer was lost: answer the call as it stands
            exchange.setProperty("storedResponse", DialChanges.storedResponse(200,
                    Map.of("id", id.toHexString(), "status", status)));
            return DialTicket.settled(id, DialTicket.Outcome.ANSWERED);
        }
        throw ApiException.conflict("Idempotency-Key", "a request with this Idempotency-Key is still in progress;"
                + " retry later for its result");
    }

    /**
     * A scheduled call (property {@code call}) as the calling rules say now: taken to dialing under a new claim
     * (if no one took it first), refused, or put off to its new time. Sets {@code callApplied}.
     */
    public DialTicket claimScheduled(@ExchangeProperty("callId") ObjectId id, @ExchangeProperty("call") Document call,
            @ExchangeProperty("verdict") Verdict verdict, Exchange exchange) {
        String claim = UUID.randomUUID().toString();
        CallChange change = switch (verdict.action()) {
            case "dial" -> DialChanges.takeScheduled(claim);
            case "refuse" -> DialChanges.refuseScheduled(verdict);
            default -> DialChanges.postponeScheduled(verdict);
        };
        boolean applied = write(id, call, change, exchange).applied();
        DialTicket ticket = !applied ? DialTicket.settled(id, DialTicket.Outcome.TAKEN)
                : verdict.dial() ? DialTicket.claimed(id, claim) : DialTicket.settled(id, DialTicket.Outcome.RULED);
        exchange.setProperty("dialTicket", ticket);
        return ticket;
    }

    /**
     * Dials the claimed call through its account's adapter ({@code direct:<adapter>-dial}, which sets
     * {@code providerCallId}); once per claim. The step goes on when the adapter is done, holding no thread while
     * the provider thinks.
     */
    public CompletionStage<Void> dial(@ExchangeProperty("dialTicket") DialTicket ticket,
            @ExchangeProperty("request") OutboundCallRequest request, @ExchangeProperty("number") Document number,
            @ExchangeProperty("account") ProviderAccount account, Exchange exchange) {
        DialTicket.require(ticket, "dial").advance("dial", DialTicket.Stage.CLAIMED, DialTicket.Stage.SENT);
        exchange.setProperty("dial", callStore.dialRequest(ticket.callId(), request, number, account));
        CompletableFuture<Void> done = new CompletableFuture<>();
        adapters.computeIfAbsent(account.adapter(),
                adapter -> new AsyncRoute(camel.getEndpoint("direct:" + adapter + "-dial")))
                .send(exchange, doneSync -> done.complete(null));
        return done;
    }

    /**
     * The provider took the call: its call id, {@code initiated} (unless a status callback that overtook the
     * answer moved the call on), and the answer kept for requests that repeat the key, in the one write after the
     * dial.
     */
    public void initiated(@ExchangeProperty("dialTicket") DialTicket ticket,
            @ExchangeProperty("providerCallId") String providerCallId, @ExchangeProperty("slot") String slot,
            @ExchangeProperty("call") Document call, Exchange exchange) {
        DialTicket.require(ticket, "initiated").expect("initiated", DialTicket.Stage.SENT);
        write(ticket.callId(), call, DialChanges.initiated(providerCallId, ticket.claim(), slot), exchange);
        ticket.settled();
        useStoredResponse(exchange.getProperty("call", Document.class), exchange);
    }

    /**
     * After a failure while this request held the claim (property {@code CamelExceptionCaught}: why; {@code dialSent}:
     * whether the adapter had sent the dial): released for a retry, failed, or unknown (see
     * {@link DialChanges#failed}). Nothing to do when the claim is not held.
     */
    public void settleFailure(@ExchangeProperty("dialTicket") DialTicket ticket,
            @ExchangeProperty("dialSent") Boolean dialSent, @ExchangeProperty("retryable") Boolean retryable,
            @ExchangeProperty("slot") String slot, @ExchangeProperty("call") Document call, Exchange exchange) {
        if (ticket == null || !ticket.holdsClaim()) {
            return;
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        write(ticket.callId(), call, DialChanges.failed(ticket.claim(), cause, Boolean.TRUE.equals(dialSent),
                Boolean.TRUE.equals(retryable), slot), exchange);
        ticket.settled();
        useStoredResponse(exchange.getProperty("call", Document.class), exchange);
    }

    /** A taken scheduled call whose provider account stayed at its limit: scheduled again, a second from now. */
    public void putBack(@ExchangeProperty("dialTicket") DialTicket ticket, @ExchangeProperty("call") Document call,
            Exchange exchange) {
        DialTicket.require(ticket, "put back").expect("put back", DialTicket.Stage.CLAIMED);
        write(ticket.callId(), call, DialChanges.putBack(ticket.claim(), new Date(clock.millis() + 1000)), exchange);
        ticket.settled();
    }

    /**
     * For a call found dialing by the look at held slots ({@link ExpiredClaims}): settled as unknown only if its
     * claim (as stored now: a request may have taken it over meanwhile) has expired.
     */
    public CallChange settleExpired() {
        return DialChanges.settleExpired(null, lease);
    }

    /**
     * The answer as MongoDB now holds it (property {@code storedResponse}): only an acknowledged write makes a
     * request's outcome final, so nothing is reported that a restart could lose.
     */
    public void useStoredResponse(@ExchangeProperty("call") Document call, Exchange exchange) {
        if (call != null && call.get("response") != null) {
            exchange.setProperty("storedResponse", call.get("response"));
        }
    }

    /** A failed dial that was settled goes on to its outcome; one that was not (released, or MongoDB out), fails. */
    public void settledOrFailed(@ExchangeProperty("storedResponse") Document stored,
            @ExchangeProperty("dialFailure") Exception failure) throws Exception {
        if (stored == null) {
            throw failure;
        }
    }

    /** The stored answer as the REST client gets it. */
    public String answer(@ExchangeProperty("storedResponse") Document response, Message message) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, response.getInteger("status"));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (response.getInteger("status") == 429) {
            message.setHeader("Retry-After", 1);
        }
        return response.getString("body");
    }

    private CallVersions.Written write(ObjectId id, Document known, CallChange change, Exchange exchange) {
        return CallVersions.put(versions.write(id, known, change), exchange);
    }

    private static void requireWon(CallVersions.Written written) {
        if (!written.applied()) {
            throw ApiException.conflict("Idempotency-Key", "another request with this Idempotency-Key is dialling;"
                    + " retry later for its result");
        }
    }
}

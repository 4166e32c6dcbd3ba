package voipgateway.calls;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mongodb.client.model.Updates;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.api.ErrorResponses;
import voipgateway.api.Json;
import voipgateway.api.ProviderRefusedException;
import voipgateway.crypto.Sha256;
import voipgateway.providers.ProviderAccount;
import voipgateway.rules.PacingLimitException;
import voipgateway.rules.Verdict;
import voipgateway.storage.MongoRequests;

/**
 * The dial ledger: every outbound call request is written to {@code calls} under its idempotency key (unique per
 * tenant) before the provider hears of it, and only the request that wins the atomic {@code pending -> dialing}
 * change may dial. The same key again gets the stored result; a different body with it, 422; while the first is
 * in flight, 409. A dial whose answer never came is {@code unknown}: settled by the provider's callback or an
 * operator, never retried blindly.
 */
public class DialLedger {

    public static final String DEFAULT_TENANT = "default";
    /** The reason of a call whose dial's claim expired with no outcome stored. */
    public static final String CLAIM_EXPIRED = "claim_expired";
    /** The claim of an entry released for a retry (a value, so the compare-and-set can match it exactly). */
    static final String RELEASED = "released";

    /** How long a claim holds before a retry may look at it again (longer than any provider request). */
    private final Duration lease;

    public DialLedger(Duration lease) {
        this.lease = lease;
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
     * Creates the ledger entry unless one exists for this key: an upsert that answers the entry as stored. A new
     * entry is written as {@code dialing} under this request's claim: the one write before the provider hears of
     * the call (property {@code call}).
     */
    public void claim(@ExchangeProperty("request") OutboundCallRequest request, @ExchangeProperty("dialKey") String key,
            @ExchangeProperty("tenantId") String tenant, @ExchangeProperty("number") Document number,
            @ExchangeProperty("account") ProviderAccount account, @ExchangeProperty("verdict") Verdict verdict,
            Exchange exchange) {
        ObjectId id = new ObjectId();
        String claim = UUID.randomUUID().toString();
        exchange.setProperty("callId", id);
        exchange.setProperty("claim", claim);
        exchange.setProperty("expectedClaim", claim);
        Date now = new Date();
        Document entry = new Document("_id", id)
                .append("agentId", request.agentId())
                .append("leadId", request.leadId())
                .append("toPhone", request.toPhone())
                .append("callTo", request.callTo())
                .append("did", number.getString("phoneNumber"))
                .append("provider", number.getString("provider"))
                .append("providerId", new ObjectId(account.id()))
                .append("purpose", request.purpose())
                .append("requestHash", hash(request))
                .append("status", CallLifecycle.DIALING)
                .append("statusRank", 0)
                .append("claim", claim)
                .append("claimedAt", now)
                .append("createdAt", now)
                .append("updatedAt", now)
                .append(CallVersions.VERSION, 1);
        if (request.calleeTimeZone() != null) {
            entry.append("calleeTimeZone", request.calleeTimeZone().getId());
        }
        if (!verdict.dial()) {
            // the calling rules' answer is the entry's outcome, in the same one write
            entry.remove("claim");
            entry.remove("claimedAt");
            entry.putAll(ruled(id, verdict));
        }
        // {userId, idempotencyKey} is a unique index: one lookup, and at most one entry per key
        MongoRequests.update(exchange.getMessage(), MongoRequests.match("userId", tenant, "idempotencyKey", key),
                Updates.combine(entry.entrySet().stream().map(e -> Updates.setOnInsert(e.getKey(), e.getValue()))
                        .toList()), true);
    }

    /**
     * What to do with the entry found under the key: {@code dial} (this request created it), {@code take-over}
     * (a released entry), {@code replay} (it has its result), {@code settle-unknown} (a dial whose claim expired
     * without an answer); otherwise 422 (same key, another request) or 409 (still in flight).
     */
    public String decide(Document entry, @ExchangeProperty("request") OutboundCallRequest request, Exchange exchange) {
        exchange.setProperty("call", entry);
        ObjectId mine = exchange.getProperty("callId", ObjectId.class);
        if (entry.getObjectId("_id").equals(mine)) {
            if (entry.get("response") != null) {
                // refused or scheduled by the calling rules as it was written
                exchange.setProperty("storedResponse", entry.get("response"));
                return "ruled";
            }
            return "dial";
        }
        exchange.setProperty("callId", entry.getObjectId("_id"));
        if (!hash(request).equals(entry.getString("requestHash"))) {
            throw new ApiException(422, "idempotency_key_reused", "Idempotency-Key",
                    "this Idempotency-Key was used for a different request");
        }
        if (entry.get("response") != null) {
            exchange.setProperty("storedResponse", entry.get("response"));
            return "replay";
        }
        String status = entry.getString("status");
        boolean expired = entry.getDate("claimedAt") == null
                || entry.getDate("claimedAt").toInstant().plus(lease).isBefore(new Date().toInstant());
        if (CallLifecycle.PENDING.equals(status) && (RELEASED.equals(entry.get("claim")) || expired)) {
            exchange.setProperty("expectedClaim", entry.get("claim"));
            // asked again after its first try failed: the calling rules as they are now decide
            Verdict verdict = exchange.getProperty("verdict", Verdict.class);
            return verdict == null || verdict.dial() ? "take-over" : "rule-released";
        }
        if (CallLifecycle.DIALING.equals(status) && expired) {
            exchange.setProperty("expectedClaim", entry.get("claim"));
            return "settle-unknown";
        }
        if (!CallLifecycle.PENDING.equals(status) && !CallLifecycle.DIALING.equals(status)) {
            // a final state whose stored answer was lost: answer the call as it stands
            exchange.setProperty("storedResponse", storedResponse(200, Map.of(
                    "id", entry.getObjectId("_id").toHexString(), "status", status)));
            return "replay";
        }
        throw ApiException.conflict("Idempotency-Key", "a request with this Idempotency-Key is still in progress;"
                + " retry later for its result");
    }

    /** Taking over a released entry: pending (with the claim it was seen with) to dialing under a new claim. */
    public CallChange startDialing(@ExchangeProperty("expectedClaim") String expectedClaim, Exchange exchange) {
        String claim = UUID.randomUUID().toString();
        exchange.setProperty("claim", claim);
        return call -> {
            if (!CallLifecycle.PENDING.equals(call.getString("status")) || !Objects.equals(expectedClaim, call.get("claim"))) {
                return null;
            }
            Date now = new Date();
            return Updates.combine(Updates.set("status", CallLifecycle.DIALING), Updates.set("claim", claim),
                    Updates.set("claimedAt", now), Updates.set("updatedAt", now));
        };
    }

    /** A released entry the calling rules now refuse or put off: refused or scheduled, with the stored answer. */
    public CallChange ruleReleased(@ExchangeProperty("expectedClaim") String expectedClaim,
            @ExchangeProperty("verdict") Verdict verdict) {
        return call -> {
            if (!CallLifecycle.PENDING.equals(call.getString("status")) || !Objects.equals(expectedClaim, call.get("claim"))) {
                return null;
            }
            return new Document("$set", ruled(call.getObjectId("_id"), verdict).append("claim", null)
                    .append("updatedAt", new Date()));
        };
    }

    public void requireWon(@ExchangeProperty("callApplied") boolean applied) {
        if (!applied) {
            throw ApiException.conflict("Idempotency-Key", "another request with this Idempotency-Key is dialling;"
                    + " retry later for its result");
        }
    }

    /**
     * A dial whose claim expired while dialing, seen by a request with the same key: the provider may have placed
     * it. Never dialled again.
     */
    public CallChange settleUnknown(@ExchangeProperty("expectedClaim") String expectedClaim) {
        return call -> {
            if (!CallLifecycle.DIALING.equals(call.getString("status")) || !Objects.equals(expectedClaim, call.get("claim"))) {
                return null;
            }
            return claimExpired(call);
        };
    }

    /**
     * The same for a call found dialing by the look at held slots ({@link ExpiredClaims}): settled only if its
     * claim (as stored now: a request may have taken it over meanwhile) has expired.
     */
    public CallChange settleExpired() {
        return call -> {
            Date claimedAt = call == null ? null : call.getDate("claimedAt");
            if (claimedAt == null || !CallLifecycle.DIALING.equals(call.getString("status"))
                    || !claimedAt.toInstant().plus(lease).isBefore(new Date().toInstant())) {
                return null;
            }
            return claimExpired(call);
        };
    }

    private static Bson claimExpired(Document call) {
        return Updates.combine(
                Updates.set("status", CallLifecycle.UNKNOWN),
                Updates.set("reason", CLAIM_EXPIRED),
                Updates.set("failureReason", "dial answer never stored"),
                Updates.unset("claim"),
                Updates.set("response", unknownResponse(call.getObjectId("_id"),
                        "the dial request got no answer; the call's outcome is unknown")),
                Updates.set("updatedAt", new Date()));
    }

    /**
     * The provider took the call: its call id, {@code initiated} (unless a status callback that overtook the
     * answer moved the call on), and the answer kept for requests that repeat the key, in the one write after the
     * dial.
     */
    public CallChange initiated(@ExchangeProperty("providerCallId") String providerCallId,
            @ExchangeProperty("claim") String claim, @ExchangeProperty("slot") String slot) {
        return call -> {
            Date now = new Date();
            Document set = new Document("providerCallId", providerCallId).append("updatedAt", now);
            if (slot != null) {
                // the pacing slot it holds until it ends (Pacing)
                set.append("slot", slot);
            }
            if (call.get("initiatedAt") == null) {
                set.append("initiatedAt", now);
            }
            int rank = CallLifecycle.rank(CallLifecycle.INITIATED);
            if (call.getInteger("statusRank", 0) < rank) {
                set.append("status", CallLifecycle.INITIATED).append("statusRank", rank);
            }
            if (!claim.equals(call.get("claim"))) {
                // settled by another request meanwhile (its claim expired): record what the provider said, no more
                return new Document("$set", set);
            }
            Document after = new Document(call);
            after.putAll(set);
            set.append("response", storedResponse(201, CallStore.view(after)));
            return new Document("$set", set).append("$unset", new Document("claim", ""));
        };
    }

    /**
     * After a failure while this request held the entry: an error before the dial request went out (connect
     * refused, circuit open, gentoken trouble) releases the entry for a retry with the same key (final when no
     * retry can come); a refusal is final; anything after the dial was sent without an answer (timeout, reset,
     * 5xx) makes the call unknown, unless a status callback already reported it.
     */
    public CallChange settleFailure(@ExchangeProperty("claim") String claim,
            @ExchangeProperty("dialSent") Boolean dialSent, @ExchangeProperty("retryable") Boolean retryable,
            @ExchangeProperty("slot") String slot, Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException failure = ErrorResponses.toApiException(cause);
        boolean notDialled = !Boolean.TRUE.equals(dialSent) || notSent(cause);
        return call -> {
            if (!claim.equals(call.get("claim"))) {
                return null;
            }
            if (call.getInteger("statusRank", 0) > 0) {
                // a status callback already says the provider placed the call: that is the dial's outcome
                return new Document("$set", new Document("response", storedResponse(201, CallStore.view(call)))
                        .append("updatedAt", new Date())).append("$unset", new Document("claim", ""));
            }
            Document update;
            if (refused(cause) || (notDialled && !Boolean.TRUE.equals(retryable))) {
                // the answer names the stored call, so a client (and the outcome event) can find it
                Map<String, Object> body = new LinkedHashMap<>(ErrorResponses.body(failure));
                body.put("id", call.getObjectId("_id").toHexString());
                body.put("status", CallLifecycle.FAILED);
                Document response = storedResponse(failure.status(), body);
                update = new Document("status", CallLifecycle.FAILED).append("statusRank", CallLifecycle.rank("failed"))
                        .append("failureReason", failure.diagnosis()).append("response", response).append("claim", null);
            } else if (notDialled) {
                update = new Document("status", CallLifecycle.PENDING).append("claim", RELEASED)
                        .append("lastError", failure.diagnosis());
            } else {
                Document response = unknownResponse(call.getObjectId("_id"), "the dial request was sent but not answered ("
                        + failure.getMessage() + "); the call's outcome is unknown until the provider reports it");
                update = new Document("status", CallLifecycle.UNKNOWN).append("failureReason", failure.diagnosis())
                        .append("response", response).append("claim", null);
                if (slot != null) {
                    // the provider may have placed it: the slot is held until it is reported, or overdue
                    update.append("slot", slot);
                }
            }
            return new Document("$set", update.append("updatedAt", new Date()));
        };
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

    /** Settling an expired dial lost to another request: it is that request's to report. */
    public void requireSettled(@ExchangeProperty("callApplied") boolean applied, @ExchangeProperty("call") Document call,
            Exchange exchange) {
        requireWon(applied);
        useStoredResponse(call, exchange);
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

    private static boolean refused(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ProviderRefusedException) {
                return true;
            }
        }
        return false;
    }

    private static boolean notSent(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CallNotPermittedException || t instanceof PacingLimitException
                    // refused, or no connection in time (Netty's ConnectTimeoutException is one too)
                    || t instanceof ConnectException
                    || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    /** What a call refused or put off by the calling rules holds: its status, the reason and the stored answer. */
    private static Document ruled(ObjectId id, Verdict verdict) {
        Document fields = new Document("reason", verdict.reason());
        if ("schedule".equals(verdict.action())) {
            return fields.append("status", CallLifecycle.SCHEDULED).append("scheduledFor", Date.from(verdict.at()))
                    .append("response", scheduledResponse(id, verdict));
        }
        return fields.append("status", CallLifecycle.REFUSED).append("statusRank", CallLifecycle.rank("refused"))
                .append("failureReason", verdict.message()).append("response", refusedResponse(id, verdict));
    }

    private static Document scheduledResponse(ObjectId callId, Verdict verdict) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", callId.toHexString());
        body.put("status", CallLifecycle.SCHEDULED);
        body.put("reason", verdict.reason());
        body.put("scheduledFor", verdict.at().toString());
        body.put("message", verdict.message());
        return storedResponse(202, body);
    }

    private static Document refusedResponse(ObjectId callId, Verdict verdict) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", verdict.reason());
        body.put("message", verdict.message());
        body.put("id", callId.toHexString());
        body.put("status", CallLifecycle.REFUSED);
        body.put("reason", verdict.reason());
        if (verdict.at() != null) {
            body.put("nextAllowedAt", verdict.at().toString());
        }
        return storedResponse(422, body);
    }

    private static Document unknownResponse(ObjectId callId, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", callId.toHexString());
        body.put("status", CallLifecycle.UNKNOWN);
        body.put("message", message);
        return storedResponse(202, body);
    }

    static String hash(OutboundCallRequest request) {
        return Sha256.hex(request.agentId() + "\n" + request.leadId() + "\n" + request.callTo());
    }

    /** An answer as the ledger keeps it for requests that repeat the key: its status and JSON body. */
    public static Document storedResponse(int status, Object body) {
        return new Document("status", status).append("body", json(body));
    }

    private static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package voipgateway.calls;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mongodb.client.model.Updates;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.api.ErrorResponses;
import voipgateway.api.Json;
import voipgateway.api.ProviderRefusedException;
import voipgateway.crypto.Sha256;

/**
 * What each step of a dial writes into its call, computed from the call as stored (pure functions: the ledger
 * ({@link DialLedger}) applies them as compare-and-sets, computing them again when another writer came first).
 * Each checks that the call still stands where the step expects it, so a change computed on an old read never
 * moves a call that somebody else moved meanwhile.
 */
public final class DialChanges {

    /** The reason of a call whose dial's claim expired with no outcome stored. */
    public static final String CLAIM_EXPIRED = "claim_expired";
    /** The claim of an entry released for a retry (a value, so the compare-and-set can match it exactly). */
    static final String RELEASED = "released";

    private DialChanges() {
    }

    /** The first write of a request: the entry as a new call (dialing under its claim, or ruled by the rules). */
    static Document entry(ObjectId id, String claim, OutboundCallRequest request, Document number, ObjectId accountId,
            Verdict verdict) {
        Date now = new Date();
        Document entry = new Document("_id", id)
                .append("agentId", request.agentId())
                .append("leadId", request.leadId())
                .append("toPhone", request.toPhone())
                .append("callTo", request.callTo())
                .append("did", number.getString("phoneNumber"))
                .append("provider", number.getString("provider"))
                .append("providerId", accountId)
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
        if (ProviderFeatures.DETECT.equals(request.machineDetection())) {
            entry.append(ProviderFeatures.MACHINE_DETECTION, ProviderFeatures.DETECT);
        }
        if (request.record()) {
            entry.append(ProviderFeatures.RECORD, true);
        }
        if (!verdict.dial()) {
            // the calling rules' answer is the entry's outcome, in the same one write
            entry.remove("claim");
            entry.remove("claimedAt");
            entry.putAll(ruled(id, verdict));
        }
        return entry;
    }

    /** Whether the claim a call was taken under has run out (no claim at all counts as run out). */
    static boolean expired(Document call, Duration lease, Instant now) {
        Date claimedAt = call.getDate("claimedAt");
        return claimedAt == null || claimedAt.toInstant().plus(lease).isBefore(now);
    }

    /** A released (or expired) pending entry taken by a new claim, to dialing. */
    static CallChange takeOver(String expectedClaim, String claim) {
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
    static CallChange ruleReleased(String expectedClaim, Verdict verdict) {
        return call -> {
            if (!CallLifecycle.PENDING.equals(call.getString("status")) || !Objects.equals(expectedClaim, call.get("claim"))) {
                return null;
            }
            return new Document("$set", ruled(call.getObjectId("_id"), verdict).append("claim", null)
                    .append("updatedAt", new Date()));
        };
    }

    /** A scheduled call the rules now let through, to dialing under a new claim. */
    static CallChange takeScheduled(String claim) {
        return call -> {
            if (!CallLifecycle.SCHEDULED.equals(call.getString("status"))) {
                return null;
            }
            Date now = new Date();
            return Updates.combine(Updates.set("status", CallLifecycle.DIALING), Updates.set("claim", claim),
                    Updates.set("claimedAt", now), Updates.unset("response"), Updates.set("updatedAt", now));
        };
    }

    /** A scheduled call the rules now refuse (the number went on the do-not-call list while it waited). */
    static CallChange refuseScheduled(Verdict verdict) {
        return call -> {
            if (!CallLifecycle.SCHEDULED.equals(call.getString("status"))) {
                return null;
            }
            return Updates.combine(Updates.set("status", CallLifecycle.REFUSED),
                    Updates.set("statusRank", CallLifecycle.rank(CallLifecycle.REFUSED)),
                    Updates.set("reason", verdict.reason()), Updates.set("failureReason", verdict.message()),
                    Updates.set("updatedAt", new Date()));
        };
    }

    /** A scheduled call still outside its window (the tenant's rules changed): its new time. */
    static CallChange postponeScheduled(Verdict verdict) {
        return call -> CallLifecycle.SCHEDULED.equals(call.getString("status"))
                ? Updates.combine(Updates.set("scheduledFor", Date.from(verdict.at())), Updates.set("updatedAt", new Date()))
                : null;
    }

    /** A taken scheduled call whose provider account stayed at its limit: scheduled again, at {@code later}. */
    static CallChange putBack(String claim, Date later) {
        return call -> {
            if (!CallLifecycle.DIALING.equals(call.getString("status")) || !claim.equals(call.get("claim"))) {
                return null;
            }
            return Updates.combine(Updates.set("status", CallLifecycle.SCHEDULED), Updates.unset("claim"),
                    Updates.set("scheduledFor", later), Updates.set("updatedAt", new Date()));
        };
    }

    /**
     * A dial whose claim (as stored now: a request may have taken it over meanwhile) expired while dialing: the
     * provider may have placed it. Unknown, never dialled again. {@code expectedClaim} null: whichever claim it has.
     */
    static CallChange settleExpired(String expectedClaim, Duration lease) {
        return call -> {
            if (call == null || !CallLifecycle.DIALING.equals(call.getString("status"))
                    || expectedClaim != null && !expectedClaim.equals(call.get("claim"))
                    || !expired(call, lease, Instant.now())) {
                return null;
            }
            return Updates.combine(
                    Updates.set("status", CallLifecycle.UNKNOWN),
                    Updates.set("reason", CLAIM_EXPIRED),
                    Updates.set("failureReason", "dial answer never stored"),
                    Updates.unset("claim"),
                    Updates.set("response", unknownResponse(call.getObjectId("_id"),
                            "the dial request got no answer; the call's outcome is unknown")),
                    Updates.set("updatedAt", new Date()));
        };
    }

    /**
     * The provider took the call: its call id, {@code initiated} (unless a status callback that overtook the
     * answer moved the call on), and the answer kept for requests that repeat the key, in the one write after the
     * dial.
     */
    static CallChange initiated(String providerCallId, String claim, String slot) {
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
     * After a failure while a request held the entry: an error before the dial request went out (connect refused,
     * circuit open, gentoken trouble) releases the entry for a retry with the same key (final when no retry can
     * come); a refusal is final; anything after the dial was sent without an answer (timeout, reset, 5xx) makes
     * the call unknown, unless a status callback already reported it.
     */
    /** The error of a dial refused at its provider account's pacing limit (PacingLimitException). */
    private static final String PACING = "provider_account_busy";

    static CallChange failed(String claim, Throwable cause, boolean dialSent, boolean retryable, String slot) {
        ApiException failure = ErrorResponses.toApiException(cause);
        boolean notDialled = !dialSent || notSent(cause);
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
            if (refused(cause) || (notDialled && !retryable)) {
                // the answer names the stored call, so a client (and the outcome event) can find it
                Map<String, Object> body = new LinkedHashMap<>(ErrorResponses.body(failure));
                body.put("id", call.getObjectId("_id").toHexString());
                body.put("status", CallLifecycle.FAILED);
                Document response = storedResponse(failure.status(), body);
                update = new Document("status", CallLifecycle.FAILED).append("statusRank", CallLifecycle.rank("failed"))
                        .append("failureReason", failure.diagnosis()).append("response", response).append("claim", null);
                if (PACING.equals(failure.error())) {
                    // never dialled: its provider account was at its pacing limit (a refusal, as webhooks say)
                    update.append("reason", CallEvents.PACING);
                }
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
            // the breaker sent nothing; refused, or no connection in time (Netty's ConnectTimeoutException is one
            // too); a failure before the adapter sent the dial (a pacing limit among them) has dialSent false anyway
            if (t instanceof CallNotPermittedException || t instanceof ConnectException
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

    static Document unknownResponse(ObjectId callId, String message) {
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

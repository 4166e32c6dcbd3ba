package voipgateway.callbacks;

import org.bson.Document;
import voipgateway.providers.ProviderAdapter;

/**
 * How a call ended, the same for every provider: {@code outcome} (answered, busy, no_answer, rejected, failed,
 * canceled, machine, unknown) and {@code cause} (the provider's own code and text, and the SIP response where it
 * gives one), from the adapter's declared {@code causes}; {@code permanent} when the number is never to be dialled
 * again (a decline, an unallocated or invalid number), whatever a retry rule says.
 */
final class CallEndings {

    private CallEndings() {
    }

    /**
     * A call a machine (or a fax) answered ended as {@code machine}, not {@code answered}, whichever of the verdict
     * and the final status came first: adds that to the changes when they complete the pair.
     */
    static void machineOutcome(Document changes, Document call) {
        Object outcome = changes.containsKey("outcome") ? changes.get("outcome") : call.get("outcome");
        Object verdict = changes.containsKey("machineVerdict") ? changes.get("machineVerdict") : call.get("machineVerdict");
        if ("answered".equals(outcome) && ("machine".equals(verdict) || "fax".equals(verdict))) {
            changes.put("outcome", "machine");
        }
    }

    /** Adds a final status' outcome and cause to a callback's changes. */
    static void append(Document changes, ProviderAdapter adapter, String status, String code, String text,
            String sip) {
        String outcome = adapter.outcome(status, code != null ? code : sip);
        if (outcome == null) {
            return;
        }
        changes.append("outcome", outcome);
        Document cause = new Document();
        if (code != null) {
            cause.append("code", code);
        }
        if (text != null) {
            cause.append("text", text);
        }
        if (sip != null && sip.matches("[1-6][0-9]{2}")) {
            cause.append("sip", Integer.parseInt(sip));
        }
        if (!cause.isEmpty()) {
            changes.append("cause", cause);
        }
        if (adapter.permanent(outcome, code != null ? code : sip)) {
            changes.append("permanent", true);
        }
    }
}

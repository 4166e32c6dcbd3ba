package voipgateway.calls;

import voipgateway.providers.Dids;

/**
 * What one dial asks for, the adapter's input (property {@code dial}): {@code callTo} the lead's number as SansPBX
 * takes it ({@code 0} and 10 digits), {@code callerId} the DID's last 7 digits (SansPBX), {@code did} as imported,
 * {@code recordId} our call id, {@code voiceUrl} the AI platform's voice webhook (may be null), {@code statusCallback}
 * the URL (with its per-call token) the adapter's provider must report statuses to; {@code machineDetection} whether
 * the provider is to tell a machine from a person (asynchronously, reporting to the same URL); {@code record} whether
 * it is to record the call (reporting the recording to the same URL).
 */
public record DialRequest(String callTo, String callerId, String did, String recordId, String voiceUrl,
        String statusCallback, boolean machineDetection, boolean record) {

    /**
     * {@code value} when the call asks for machine detection, else null (a request variable left out): an adapter's
     * detection parameters, e.g. {@code ${exchangeProperty.dial.detecting('Enable')}}.
     */
    public String detecting(String value) {
        return machineDetection ? value : null;
    }

    /** Where the provider reports its machine detection verdict: the status URL, when detection is asked for. */
    public String machineDetectionCallback() {
        return detecting(statusCallback);
    }

    /** {@code value} when the call is to be recorded, else null (left out): e.g. {@code dial.recording('true')}. */
    public String recording(String value) {
        return record ? value : null;
    }

    /** Where the provider reports the recording: the status URL, when the call is to be recorded. */
    public String recordingCallback() {
        return recording(statusCallback);
    }

    /** The lead's number in E.164 ({@code +91} and 10 digits). */
    public String e164To() {
        return "+91" + callTo.substring(callTo.length() - 10);
    }

    /** The DID in E.164 when it was imported with its {@code +}; else its digits. */
    public String e164From() {
        return (did.startsWith("+") ? "+" : "") + Dids.digits(did);
    }
}

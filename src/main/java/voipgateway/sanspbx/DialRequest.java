package voipgateway.sanspbx;

/** What one dialcall asks for, already in SansPBX's formats. */
public record DialRequest(String callTo, String callerId, String did, String recordId, String callbackUrl,
        String statusCallback) {
}

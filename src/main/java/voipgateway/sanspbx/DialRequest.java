package voipgateway.sanspbx;

/** What one dialcall asks for, already in SansPBX's formats; {@code voiceUrl} may be null (none sent). */
public record DialRequest(String callTo, String callerId, String did, String recordId, String voiceUrl,
        String statusCallback) {
}

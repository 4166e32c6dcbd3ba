package voipgateway.callbacks;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

import voipgateway.crypto.CredentialCipher;

/**
 * The per-call token a callback URL carries: a keyed hash (HMAC) of the call id, so only someone who was
 * handed that URL can report on that call. Derived from the encryption key: nothing else to configure.
 */
public class CallbackTokens {

    private final CredentialCipher cipher;

    public CallbackTokens(CredentialCipher cipher) {
        this.cipher = cipher;
    }

    public String tokenFor(String callId) {
        return cipher.fingerprint("callback-token", callId).substring(0, 32);
    }

    /** The URL a provider calls back, for this call: {@code base?call=<id>&token=<hmac>}. */
    public String urlFor(String baseUrl, String callId) {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "call=" + callId + "&token=" + tokenFor(callId);
    }

    /** Tokens handed out before a key rotation stay good for their calls. */
    public boolean isValid(String callId, String token) {
        if (callId == null || token == null) {
            return false;
        }
        for (String fingerprint : cipher.fingerprints("callback-token", callId)) {
            if (MessageDigest.isEqual(fingerprint.substring(0, 32).getBytes(StandardCharsets.US_ASCII),
                    token.getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }
}

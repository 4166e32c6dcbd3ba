package voipgateway.calls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

import voipgateway.crypto.CredentialCipher;

/**
 * The per-call token a callback URL carries: a keyed hash (HMAC) of the provider and the call id, so only someone
 * who was handed that URL can report on that call, and only through that provider's callback path. Derived from
 * the encryption key: nothing else to configure.
 */
public class CallbackTokens {

    private final CredentialCipher cipher;

    public CallbackTokens(CredentialCipher cipher) {
        this.cipher = cipher;
    }

    public String tokenFor(String provider, String callId) {
        return cipher.fingerprint("callback-token", bound(provider, callId)).substring(0, 32);
    }

    /** The URL a provider calls back, for this call: {@code base?call=<id>&token=<hmac>}. */
    public String urlFor(String baseUrl, String provider, String callId) {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "call=" + callId + "&token=" + tokenFor(provider, callId);
    }

    /**
     * Whether the token was handed out for this call and provider. Tokens handed out before a key rotation stay
     * good for their calls; so do those handed out before tokens named their provider (the call id alone), for
     * calls still in flight across that upgrade: the call's own provider is checked for every callback anyway
     * ({@link StatusEventStore#requireProvider}).
     */
    public boolean isValid(String provider, String callId, String token) {
        return callId != null && token != null && provider != null
                && (matches(bound(provider, callId), token) || matches(callId, token));
    }

    private boolean matches(String subject, String token) {
        for (String fingerprint : cipher.fingerprints("callback-token", subject)) {
            if (MessageDigest.isEqual(fingerprint.substring(0, 32).getBytes(StandardCharsets.US_ASCII),
                    token.getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }

    private static String bound(String provider, String callId) {
        return provider.toLowerCase(Locale.ROOT) + "/" + callId;
    }
}

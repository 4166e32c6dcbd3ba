package voipgateway.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks' signatures (standardwebhooks.com), so a receiver can check them with its libraries: a secret is
 * {@code whsec_} and the Base64 of its key's bytes; {@code webhook-signature} is {@code v1,<Base64 of
 * HMAC-SHA256(key, id + "." + timestamp + "." + body)>}, one per signing key, separated by spaces.
 */
public final class WebhookSignatures {

    public static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int KEY_BYTES = 32;

    private WebhookSignatures() {
    }

    /** A new secret, as shown once to its tenant. */
    public static String newSecret() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The key bytes of a secret. */
    public static byte[] key(String secret) {
        return Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    }

    /** The {@code webhook-signature} header's value: a {@code v1} signature by each key. */
    public static String sign(List<Webhook.Key> keys, String id, long timestampSeconds, String body) {
        byte[] signed = (id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8);
        return keys.stream().map(key -> "v1," + Base64.getEncoder().encodeToString(hmac(key.secret(), signed)))
                .collect(Collectors.joining(" "));
    }

    private static byte[] hmac(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}

package voipgateway.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jasypt.encryption.pbe.PooledPBEStringEncryptor;
import org.jasypt.exceptions.EncryptionOperationNotPossibleException;
import org.jasypt.iv.RandomIvGenerator;
import org.jasypt.salt.RandomSaltGenerator;

/**
 * Encrypts credential fields at rest: jasypt PBEWithHMACSHA512AndAES_256 with a random salt and IV per value,
 * so the same secret never encrypts to the same text. Also derives a keyed fingerprint (HMAC-SHA256) so an
 * account can be found again without storing anything in clear.
 */
public class CredentialCipher {

    private static final String ALGORITHM = "PBEWithHMACSHA512AndAES_256";

    private final PooledPBEStringEncryptor encryptor;
    private final SecretKeySpec fingerprintKey;
    /** Keys being rotated away from: still read, never written. */
    private final List<CredentialCipher> previous;

    public CredentialCipher(String key) {
        this(key, List.of());
    }

    public CredentialCipher(String key, List<String> previousKeys) {
        if (key == null || key.length() < 16) {
            throw new IllegalArgumentException("VOIP_ENCRYPTION_KEY must be at least 16 characters");
        }
        encryptor = new PooledPBEStringEncryptor();
        encryptor.setAlgorithm(ALGORITHM);
        encryptor.setPassword(key);
        encryptor.setSaltGenerator(new RandomSaltGenerator());
        encryptor.setIvGenerator(new RandomIvGenerator());
        encryptor.setPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()));
        fingerprintKey = new SecretKeySpec(Sha256.of("fingerprint:" + key), "HmacSHA256");
        previous = previousKeys.stream().filter(k -> k != null && !k.isBlank()).map(CredentialCipher::new).toList();
    }

    public String encrypt(String plain) {
        return encryptor.encrypt(plain);
    }

    /**
     * Decrypts with the current key, else with a previous one (during a key rotation). The cipher carries no
     * authentication: a wrong key fails on the padding, except about one time in 256, when it answers noise. So a
     * key's answer counts only if it reads as text a credential can be (no control characters, no bytes that are
     * not UTF-8); noise from random bytes almost never does. Should no key give such text, a key's answer is
     * still better than none.
     */
    public String decrypt(String encrypted) {
        String unlikely = null;
        for (CredentialCipher cipher : keys()) {
            String plain;
            try {
                plain = cipher.encryptor.decrypt(encrypted);
            } catch (EncryptionOperationNotPossibleException notThisKey) {
                continue;
            }
            if (readsAsText(plain)) {
                return plain;
            }
            unlikely = unlikely == null ? plain : unlikely;
        }
        if (unlikely != null) {
            return unlikely;
        }
        // the exception of jasypt says nothing secret, but nothing useful either
        throw new IllegalStateException("stored credentials cannot be decrypted with VOIP_ENCRYPTION_KEY"
                + " (or VOIP_PREVIOUS_ENCRYPTION_KEYS)");
    }

    private List<CredentialCipher> keys() {
        List<CredentialCipher> keys = new ArrayList<>();
        keys.add(this);
        keys.addAll(previous);
        return keys;
    }

    /** No control characters and no U+FFFD (what jasypt makes of bytes that are not UTF-8). */
    static boolean readsAsText(String plain) {
        return plain.chars().noneMatch(c -> Character.isISOControl(c) || c == '\uFFFD');
    }

    /** The fingerprint under the current key and under each previous one, current first. */
    public List<String> fingerprints(String... parts) {
        return keys().stream().map(key -> key.fingerprint(parts)).toList();
    }

    /** A stable keyed hash of the parts: equal parts give equal fingerprints, and it reveals nothing without the key. */
    public String fingerprint(String... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(fingerprintKey);
            for (String part : parts) {
                mac.update(part.getBytes(StandardCharsets.UTF_8));
                mac.update((byte) 0);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}

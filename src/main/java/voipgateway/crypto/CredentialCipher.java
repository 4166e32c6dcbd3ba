package voipgateway.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jasypt.encryption.pbe.PooledPBEStringEncryptor;
import org.jasypt.exceptions.EncryptionOperationNotPossibleException;
import org.jasypt.iv.RandomIvGenerator;
import org.jasypt.salt.RandomSaltGenerator;

/**
 * Encrypts credential fields at rest with AES-256-GCM (an authenticated cipher: a wrong key or a changed byte is
 * detected, never decrypted to noise), a random 96-bit IV per value, so the same secret never encrypts to the same
 * text: {@code v2:} and the Base64 of IV and ciphertext with its tag. The AES key is derived from the configured
 * key. Values written before (jasypt PBEWithHMACSHA512AndAES_256, no prefix) are still read, and rewritten as
 * {@code v2} whenever their account is written again or by {@code rotate-key}. Also derives a keyed fingerprint
 * (HMAC-SHA256) so an account can be found again without storing anything in clear.
 */
public class CredentialCipher {

    private static final String ALGORITHM = "PBEWithHMACSHA512AndAES_256";
    private static final String V2 = "v2:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PooledPBEStringEncryptor encryptor;
    private final SecretKeySpec fingerprintKey;
    private final SecretKeySpec aesKey;
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
        aesKey = new SecretKeySpec(Sha256.of("credentials-aes-gcm:" + key), "AES");
        previous = previousKeys.stream().filter(k -> k != null && !k.isBlank()).map(CredentialCipher::new).toList();
    }

    public String encrypt(String plain) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] stored = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, stored, 0, IV_BYTES);
            System.arraycopy(sealed, 0, stored, IV_BYTES, sealed.length);
            return V2 + Base64.getEncoder().encodeToString(stored);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Decrypts with the current key, else with a previous one (during a key rotation). A {@code v2} value opens
     * only under the key that sealed it, unchanged; a value of the older format, as before: a key's answer counts
     * only if it reads as text a credential can be (that cipher carries no authentication, and a wrong key answers
     * noise about one time in 256).
     */
    public String decrypt(String encrypted) {
        if (encrypted != null && encrypted.startsWith(V2)) {
            byte[] stored;
            try {
                stored = Base64.getDecoder().decode(encrypted.substring(V2.length()));
            } catch (IllegalArgumentException e) {
                stored = new byte[0];
            }
            for (CredentialCipher cipher : keys()) {
                String plain = cipher.open(stored);
                if (plain != null) {
                    return plain;
                }
            }
            throw new IllegalStateException("a stored credential failed its authentication check: it was written"
                    + " under another key than VOIP_ENCRYPTION_KEY (or VOIP_PREVIOUS_ENCRYPTION_KEYS), or changed since");
        }
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

    /** A v2 value's text under this key; null when the key is not the one, or the value was changed. */
    private String open(byte[] stored) {
        if (stored.length < IV_BYTES + TAG_BITS / 8) {
            return null;
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, stored, 0, IV_BYTES));
            return new String(cipher.doFinal(stored, IV_BYTES, stored.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException notThisKeyOrChanged) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
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

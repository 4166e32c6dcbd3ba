package voipgateway.crypto;

import org.jasypt.encryption.pbe.StandardPBEStringEncryptor;
import org.jasypt.exceptions.EncryptionOperationNotPossibleException;
import org.jasypt.iv.RandomIvGenerator;

/**
 * What one key alone makes of a stored value (no fallback to other keys, no text check): a {@code v2} value as
 * AES-GCM opens it, an older one as jasypt decrypts it; and values of the older format, as they were written.
 */
public final class SingleKey {

    private SingleKey() {
    }

    public static String decrypt(String key, String stored) {
        return stored.startsWith("v2:") ? new CredentialCipher(key).decrypt(stored) : legacy(key).decrypt(stored);
    }

    /** A value as the service wrote it before its values were authenticated (jasypt, no prefix). */
    public static String legacyEncrypt(String key, String plain) {
        return legacy(key).encrypt(plain);
    }

    private static StandardPBEStringEncryptor legacy(String key) {
        StandardPBEStringEncryptor encryptor = new StandardPBEStringEncryptor();
        encryptor.setAlgorithm("PBEWithHMACSHA512AndAES_256");
        encryptor.setIvGenerator(new RandomIvGenerator());
        encryptor.setPassword(key);
        return encryptor;
    }

    /**
     * Null when the key cannot read it. A wrong key does not always fail: about one time in 256 the padding of what it
     * decrypts happens to be valid, and it answers noise.
     */
    public static String decryptOrNull(String key, String stored) {
        try {
            return decrypt(key, stored);
        } catch (EncryptionOperationNotPossibleException | IllegalStateException e) {
            return null;
        }
    }
}

package voipgateway.crypto;

import org.jasypt.encryption.pbe.StandardPBEStringEncryptor;
import org.jasypt.exceptions.EncryptionOperationNotPossibleException;
import org.jasypt.iv.RandomIvGenerator;

/** What one key alone makes of a stored value, as jasypt decrypts it (no fallback to other keys, no text check). */
public final class SingleKey {

    private SingleKey() {
    }

    public static String decrypt(String key, String stored) {
        StandardPBEStringEncryptor encryptor = new StandardPBEStringEncryptor();
        encryptor.setAlgorithm("PBEWithHMACSHA512AndAES_256");
        encryptor.setIvGenerator(new RandomIvGenerator());
        encryptor.setPassword(key);
        return encryptor.decrypt(stored);
    }

    /**
     * Null when the key cannot read it. A wrong key does not always fail: about one time in 256 the padding of what it
     * decrypts happens to be valid, and it answers noise.
     */
    public static String decryptOrNull(String key, String stored) {
        try {
            return decrypt(key, stored);
        } catch (EncryptionOperationNotPossibleException e) {
            return null;
        }
    }
}

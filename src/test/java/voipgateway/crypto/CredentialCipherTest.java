package voipgateway.crypto;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialCipherTest {

    private static final String OLD_KEY = "the-old-encryption-key-0123456789";
    private static final String NEW_KEY = "the-new-encryption-key-9876543210";
    private static final String SECRET = "Demo@&1234!#";

    /**
     * Found in CI: after a key rotation, a value written under the previous key came back as noise, because the new
     * key's decryption happened to end in valid padding (about one value in 256) and was taken for the answer.
     */
    @Test
    void aValueThatTheNewKeyDecryptsToNoiseIsReadWithThePreviousKey() {
        CredentialCipher old = new CredentialCipher(OLD_KEY);
        String stored = null;
        String noise = null;
        for (int i = 0; i < 20_000 && noise == null; i++) {
            stored = old.encrypt(SECRET);
            noise = SingleKey.decryptOrNull(NEW_KEY, stored);
        }
        assertNotNull(noise, "some value the new key decrypts without an error (1 in 256)");
        assertNotEquals(SECRET, noise);

        assertEquals(SECRET, new CredentialCipher(NEW_KEY, List.of(OLD_KEY)).decrypt(stored));
    }

    @Test
    void readsWithTheCurrentKeyFirstAndRefusesWhatNoKeyReads() {
        CredentialCipher current = new CredentialCipher(NEW_KEY, List.of(OLD_KEY));
        assertEquals(SECRET, current.decrypt(current.encrypt(SECRET)));
        assertEquals("पासवर्ड 密码", current.decrypt(current.encrypt("पासवर्ड 密码")));

        String foreign = new CredentialCipher("a-third-key-nobody-has-given-us").encrypt(SECRET);
        // noise in about one try in 256, else a refusal: never the secret
        try {
            assertNotEquals(SECRET, current.decrypt(foreign));
        } catch (IllegalStateException refused) {
            assertTrue(refused.getMessage().contains("VOIP_ENCRYPTION_KEY"));
        }
        assertThrows(IllegalStateException.class, () -> new CredentialCipher(NEW_KEY).decrypt("not-encrypted"));
    }

    @Test
    void textACredentialCanBe() {
        assertTrue(CredentialCipher.readsAsText(SECRET));
        assertTrue(CredentialCipher.readsAsText("https://pbx.example.com/pbxadmin/sanpbxapi/gentoken"));
        assertTrue(CredentialCipher.readsAsText("पासवर्ड 密码"));
        assertFalse(CredentialCipher.readsAsText("ab\u0001c"));
        assertFalse(CredentialCipher.readsAsText("ab\uFFFDc"));
    }
}

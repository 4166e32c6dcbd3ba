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
     * Found in CI: after a key rotation, a value written (in the older, unauthenticated format) under the previous
     * key came back as noise, because the new key's decryption happened to end in valid padding (about one value in
     * 256) and was taken for the answer.
     */
    @Test
    void anOlderValueThatTheNewKeyDecryptsToNoiseIsReadWithThePreviousKey() {
        String stored = null;
        String noise = null;
        for (int i = 0; i < 20_000 && noise == null; i++) {
            stored = SingleKey.legacyEncrypt(OLD_KEY, SECRET);
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
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> current.decrypt(foreign));
        assertTrue(refused.getMessage().contains("VOIP_ENCRYPTION_KEY"), refused.getMessage());
        assertThrows(IllegalStateException.class, () -> new CredentialCipher(NEW_KEY).decrypt("not-encrypted"));
    }

    /** A value is authenticated: under a wrong key, or with any byte changed, it is refused, never read as noise. */
    @Test
    void aWrongKeyOrAChangedByteIsDetectedAndNamed() {
        CredentialCipher current = new CredentialCipher(NEW_KEY);
        CredentialCipher stranger = new CredentialCipher("a-third-key-nobody-has-given-us");
        for (int i = 0; i < 2_000; i++) {
            String stored = current.encrypt(SECRET);
            assertTrue(stored.startsWith("v2:"), stored);
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> stranger.decrypt(stored));
            assertTrue(refused.getMessage().contains("authentication check"), refused.getMessage());
        }
        String stored = current.encrypt(SECRET);
        byte[] bytes = java.util.Base64.getDecoder().decode(stored.substring(3));
        for (int at = 0; at < bytes.length; at++) {
            byte[] changed = bytes.clone();
            changed[at] ^= 0x01;
            String tampered = "v2:" + java.util.Base64.getEncoder().encodeToString(changed);
            assertThrows(IllegalStateException.class, () -> current.decrypt(tampered), "byte " + at);
        }
        assertEquals(SECRET, current.decrypt(stored));
    }

    /** Values written before are read as they were; everything written now is authenticated. */
    @Test
    void olderValuesAreStillRead() {
        CredentialCipher current = new CredentialCipher(NEW_KEY, List.of(OLD_KEY));
        assertEquals(SECRET, current.decrypt(SingleKey.legacyEncrypt(NEW_KEY, SECRET)));
        assertEquals(SECRET, current.decrypt(SingleKey.legacyEncrypt(OLD_KEY, SECRET)));
        assertEquals(SECRET, current.decrypt(new CredentialCipher(OLD_KEY).encrypt(SECRET)));
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

package voipgateway;

import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.jasypt.encryption.pbe.StandardPBEStringEncryptor;
import org.jasypt.exceptions.EncryptionOperationNotPossibleException;
import org.jasypt.iv.RandomIvGenerator;
import org.junit.jupiter.api.Test;
import voipgateway.crypto.CredentialCipher;
import voipgateway.crypto.KeyRotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Rotating VOIP_ENCRYPTION_KEY without downtime: the service restarted with the new key and the old one as
 * previous keeps working, rotate-key re-encrypts everything under the new key, and tokens handed out before
 * stay valid.
 */
class KeyRotationTest extends GatewayTestSupport {

    private static final String NEW_KEY = "the-new-encryption-key-9876543210";

    @Test
    void credentialsMoveToTheNewKeyWhileTheServiceKeepsWorking() throws Exception {
        pbxIssuesToken("jwt-1", "2099-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"31\"}");
        providerWithAgent();
        String callId = call("09000000001").json().get("id").asText();
        String oldToken = callbackToken(callId);

        stop();
        gatewayProperties.put("voip.encryption-key", NEW_KEY);
        gatewayProperties.put("voip.previous-encryption-keys", KEY);
        start();
        assertEquals(201, call("09000000001").status(), "old credentials are read with the previous key");

        int rewritten = KeyRotation.run(db(), new CredentialCipher(NEW_KEY, List.of(KEY)));

        assertEquals(1, rewritten);
        Document credentials = db().getCollection("voipproviders").find().first().get("credentials", Document.class);
        assertEquals(PASSWORD, decrypt(NEW_KEY, credentials.getString("password")));
        assertEquals(ACCESS_TOKEN, decrypt(NEW_KEY, credentials.getString("accessToken")));
        assertNotEquals(PASSWORD, decryptOrNull(KEY, credentials.getString("password")), "the old key reads it no more");
        assertEquals(200, send("POST", "/voip/add-provider", providerBody()).status(),
                "the same account is still found (its fingerprint moved to the new key too)");
        assertEquals(1, db().getCollection("voipproviders").countDocuments());
        assertEquals(201, call("09000000001").status());
        Response callback = sendRaw("POST", "/callbacks/sanspbx/status?call=" + callId + "&token=" + oldToken,
                "application/json", JSON.writeValueAsString(Map.of("Linkedid", "31", "disposition", "ANSWER",
                        "custom_field", Map.of("record_id", callId))));
        assertEquals(200, callback.status(), "a callback URL handed out before the rotation still works");
    }

    /**
     * Null when the key cannot read it. A wrong key does not always fail: about one time in 256 the padding of what it
     * decrypts happens to be valid, and it answers noise.
     */
    private static String decryptOrNull(String key, String stored) {
        try {
            return decrypt(key, stored);
        } catch (EncryptionOperationNotPossibleException e) {
            return null;
        }
    }

    private static String decrypt(String key, String stored) {
        StandardPBEStringEncryptor encryptor = new StandardPBEStringEncryptor();
        encryptor.setAlgorithm("PBEWithHMACSHA512AndAES_256");
        encryptor.setIvGenerator(new RandomIvGenerator());
        encryptor.setPassword(key);
        return encryptor.decrypt(stored);
    }
}

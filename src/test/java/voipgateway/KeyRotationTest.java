package voipgateway;

import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import voipgateway.crypto.CredentialCipher;
import voipgateway.crypto.SingleKey;
import voipgateway.providers.KeyRotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Rotating VOIP_ENCRYPTION_KEY without downtime: the service restarted with the new key and the old one as
 * previous keeps working, rotate-key re-encrypts everything under the new key, and tokens handed out before
 * stay valid. (What rotate-key does to stored values of every kind: providers.KeyRotationRunTest.)
 */
class KeyRotationTest extends GatewayTestSupport {

    private static final String NEW_KEY = "the-new-encryption-key-9876543210";

    /** Each test starts from the service under KEY alone. */
    @AfterEach
    void backToTheFirstKey() {
        if (!gatewayProperties.isEmpty()) {
            stop();
            gatewayProperties.clear();
            start();
        }
    }

    @Test
    void credentialsMoveToTheNewKeyWhileTheServiceKeepsWorking() throws Exception {
        lineThatDials("jwt-1", "31");
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
        assertEquals(PASSWORD, SingleKey.decrypt(NEW_KEY, credentials.getString("password")));
        assertEquals(ACCESS_TOKEN, SingleKey.decrypt(NEW_KEY, credentials.getString("accessToken")));
        assertNotEquals(PASSWORD, SingleKey.decryptOrNull(KEY, credentials.getString("password")), "the old key reads it no more");
        assertEquals(200, send("POST", "/voip/add-provider", providerBody()).status(),
                "the same account is still found (its fingerprint moved to the new key too)");
        assertEquals(1, db().getCollection("voipproviders").countDocuments());
        assertEquals(201, call("09000000001").status());
        Response callback = sendRaw("POST", "/callbacks/sanspbx/status?call=" + callId + "&token=" + oldToken,
                "application/json", JSON.writeValueAsString(Map.of("Linkedid", "31", "disposition", "ANSWER",
                        "custom_field", Map.of("record_id", callId))));
        assertEquals(200, callback.status(), "a callback URL handed out before the rotation still works");
    }
}

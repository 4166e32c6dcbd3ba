package voipgateway.providers;

import java.nio.file.Path;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import voipgateway.ExternalMongo;
import voipgateway.crypto.CredentialCipher;
import voipgateway.crypto.SingleKey;
import voipgateway.storage.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rotate-key} ({@link KeyRotation#run}) on stored accounts (a MongoDB wire server): every secret field is
 * rewritten under the current key, authenticated; values of older versions (encrypted without authentication) and
 * values under a previous key are read first; the account's fingerprint moves along. (Restarting the running
 * service with a new key: voipgateway.KeyRotationTest.)
 */
class KeyRotationRunTest {

    private static final String OLD_KEY = "the-old-encryption-key-0123456789";
    private static final String NEW_KEY = "the-new-encryption-key-9876543210";
    private static final Map<String, String> CREDENTIALS = credentials();

    @TempDir
    Path dir;
    private ExternalMongo mongo;
    private MongoClient client;
    private MongoCollection<Document> providers;

    private static Map<String, String> credentials() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("tokenEndpoint", "https://pbx.example.com/gentoken");
        fields.put("dialEndpoint", "https://pbx.example.com/dialcall");
        fields.put("appId", "123456");
        fields.put("accessToken", "an-access-token");
        fields.put("accessKey", "an-access-key");
        fields.put("username", "a-user");
        fields.put("password", "a-password");
        return fields;
    }

    @BeforeEach
    void start() {
        mongo = new ExternalMongo(dir.resolve("mongo.h2"));
        client = MongoClients.create(mongo.uri());
        MongoDatabase db = client.getDatabase("voip");
        providers = db.getCollection(Collections.PROVIDERS);
    }

    @AfterEach
    void stop() {
        client.close();
        mongo.stop();
    }

    /** A SansPBX account as this service stored it before accounts named their secret fields. */
    private ObjectId storedBeforeAdapters(java.util.function.UnaryOperator<String> encrypt) {
        Document credentials = new Document();
        CREDENTIALS.forEach((field, value) -> credentials.append(field, field.equals("appId") ? value
                : encrypt.apply(value)));
        ObjectId id = new ObjectId();
        providers.insertOne(new Document("_id", id).append("userId", "default").append("provider", "SansPBX")
                .append("credentials", credentials).append("isActive", true).append("updatedAt", new Date()));
        return id;
    }

    @Test
    void valuesOfOlderVersionsAreRewrittenAuthenticatedUnderTheKey() {
        ObjectId id = storedBeforeAdapters(value -> SingleKey.legacyEncrypt(OLD_KEY, value));
        CredentialCipher cipher = new CredentialCipher(OLD_KEY);
        assertEquals(CREDENTIALS, ProviderStore.decrypt(providers.find().first(), cipher), "read as before");

        assertEquals(1, KeyRotation.run(client.getDatabase("voip"), cipher));

        Document stored = providers.find(new Document("_id", id)).first();
        Document credentials = stored.get("credentials", Document.class);
        for (String field : ProviderStore.secretFields(stored)) {
            assertTrue(credentials.getString(field).startsWith("v2:"), field + ": " + credentials.getString(field));
        }
        assertEquals("123456", credentials.getString("appId"), "what was never secret stays as it was");
        assertEquals(CREDENTIALS, ProviderStore.decrypt(stored, cipher));
        assertEquals(1, KeyRotation.run(client.getDatabase("voip"), cipher), "a second run rewrites it again");
    }

    @Test
    void credentialsUnderAPreviousKeyMoveToTheNewKeyAndTheFingerprintMovesAlong() {
        CredentialCipher old = new CredentialCipher(OLD_KEY);
        storedBeforeAdapters(old::encrypt);
        CredentialCipher rotating = new CredentialCipher(NEW_KEY, List.of(OLD_KEY));

        assertEquals(1, KeyRotation.run(client.getDatabase("voip"), rotating));

        Document stored = providers.find().first();
        assertEquals(CREDENTIALS, ProviderStore.decrypt(stored, new CredentialCipher(NEW_KEY)), "the new key alone reads it");
        assertNotEquals("a-password", SingleKey.decryptOrNull(OLD_KEY, stored.get("credentials", Document.class)
                .getString("password")), "the old key reads it no more");
        String expected = new CredentialCipher(NEW_KEY).fingerprint(ProviderStore.accountParts("default", "SansPBX",
                ProviderStore.identityFields(stored), CREDENTIALS));
        assertEquals(expected, stored.getString("accountKey"));
    }
}

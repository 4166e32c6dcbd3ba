package voipgateway.providers;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import voipgateway.crypto.CredentialCipher;
import voipgateway.providers.ProviderStore;
import voipgateway.storage.Collections;
import voipgateway.storage.MongoRequests;

/**
 * {@code java -jar voip-gateway.jar rotate-key}: re-encrypts every stored credential under the current key.
 * Without downtime: (1) restart the service with VOIP_ENCRYPTION_KEY=new and VOIP_PREVIOUS_ENCRYPTION_KEYS=old
 * (it reads both, writes only the new one); (2) run this command with the same two variables and MONGODB_URI;
 * (3) drop VOIP_PREVIOUS_ENCRYPTION_KEYS at the next restart. Run with the current key alone, it rewrites values
 * stored in the older, unauthenticated format as authenticated ones.
 */
public final class KeyRotation {

    private KeyRotation() {
    }

    /** The command: settings from the environment; answers the process exit code. */
    public static int command() {
        String key = System.getenv("VOIP_ENCRYPTION_KEY");
        String previous = System.getenv().getOrDefault("VOIP_PREVIOUS_ENCRYPTION_KEYS", "");
        String uri = System.getenv("MONGODB_URI");
        if (key == null || key.isBlank() || uri == null || uri.isBlank()) {
            System.err.println("rotate-key needs VOIP_ENCRYPTION_KEY (the new key), MONGODB_URI (the running service's"
                    + " MongoDB) and, when the key changes, VOIP_PREVIOUS_ENCRYPTION_KEYS (the old ones, comma-separated)");
            return 2;
        }
        try (MongoClient client = MongoClients.create(uri)) {
            CredentialCipher cipher = new CredentialCipher(key, Arrays.asList(previous.split(",")));
            int rewritten = run(client.getDatabase(System.getenv().getOrDefault("MONGODB_DATABASE", "voip")), cipher);
            System.out.println("rotate-key: " + rewritten + " provider account(s) re-encrypted with the current key");
            return 0;
        }
    }

    /**
     * Rewrites each provider's credentials (and its account fingerprint) under the current key. Each write only
     * applies if the credentials are still those read, so a concurrent update by the service is never undone.
     */
    public static int run(MongoDatabase db, CredentialCipher cipher) {
        MongoCollection<Document> providers = db.getCollection(Collections.PROVIDERS);
        int rewritten = 0;
        for (Document provider : providers.find()) {
            Document stored = provider.get("credentials", Document.class);
            List<String> secret = ProviderStore.secretFields(provider);
            Map<String, String> fields = ProviderStore.decrypt(provider, cipher);
            Document fresh = new Document();
            fields.forEach((field, value) -> fresh.append(field, secret.contains(field) ? cipher.encrypt(value) : value));
            String accountKey = cipher.fingerprint(ProviderStore.accountParts(provider.getString("userId"),
                    provider.getString("provider"), ProviderStore.identityFields(provider), fields));
            rewritten += (int) providers.updateOne(
                    MongoRequests.match("_id", provider.get("_id"), "credentials", stored),
                    Updates.combine(Updates.set("credentials", fresh), Updates.set("accountKey", accountKey)))
                    .getModifiedCount();
        }
        return rewritten;
    }
}

package voipgateway.tenants;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.crypto.Sha256;
import voipgateway.storage.MongoRequests;
import voipgateway.storage.ReadCache;

/**
 * API keys: {@code Authorization: Bearer <key>} names the tenant a request acts for. Keys are stored only as
 * SHA-256 hashes in {@code apikeys} ({@code _id} = hash, {@code tenantId}, {@code revoked}).
 */
public class ApiKeys {

    public static final String COLLECTION = "apikeys";

    /** Tenants of valid keys by key hash (see {@link ReadCache} for how long a revocation takes elsewhere). */
    private final ReadCache<String, String> tenants;
    private final KeyGuesses guesses;

    public ApiKeys(Duration maxAge, long maxEntries, KeyGuesses guesses) {
        this.tenants = new ReadCache<>(maxAge, maxEntries);
        this.guesses = guesses;
    }

    /**
     * The key's hash (property {@code apiKeyHash}); a key known to be valid sets property {@code tenantId}
     * without reading MongoDB.
     */
    public void lookUp(@Header("Authorization") String authorization, Exchange exchange) {
        if (authorization == null) {
            throw unauthorized();
        }
        // an address that guessed too often is refused before its key is looked at (KeyGuesses)
        guesses.check(exchange);
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() < 8
                || authorization.length() > 200) {
            guesses.failed(exchange);
            throw unauthorized();
        }
        String hash = hash(authorization.substring(7).trim());
        exchange.setProperty("apiKeyHash", hash);
        exchange.setProperty("tenantId", tenants.get(hash));
    }

    /** The stored entry of the key: by _id alone (an index everywhere); revoked is checked on the document read. */
    public void queryKey(@ExchangeProperty("apiKeyHash") String hash, Message message) {
        MongoRequests.query(message, Filters.eq("_id", hash));
    }

    /** The tenant of a known, unrevoked key becomes property {@code tenantId}; anything else is 401. */
    public void requireTenant(Document key, Exchange exchange) {
        if (key == null || !Boolean.FALSE.equals(key.getBoolean("revoked"))) {
            guesses.failed(exchange);
            throw unauthorized();
        }
        tenants.put(key.getString("_id"), key.getString("tenantId"));
        exchange.setProperty("tenantId", key.getString("tenantId"));
    }

    /** A revoked key is refused by this instance from now on. */
    public void forget(Document key) {
        if (key != null) {
            tenants.forget(key.getString("_id"));
        }
    }

    /** At start-up: the bootstrap key (VOIP_BOOTSTRAP_API_KEY) belongs to tenant {@code default}. */
    public static void bootstrap(MongoDatabase db, String key) {
        Date now = new Date();
        db.getCollection("tenants").updateOne(Filters.eq("_id", "default"),
                Updates.setOnInsert("createdAt", now), new UpdateOptions().upsert(true));
        db.getCollection(COLLECTION).replaceOne(Filters.eq("_id", hash(key)),
                new Document("_id", hash(key)).append("keyId", hash(key).substring(0, 16))
                        .append("tenantId", "default").append("revoked", false)
                        .append("createdAt", now), new ReplaceOptions().upsert(true));
    }

    public static String newKey() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return "vgw_" + HexFormat.of().formatHex(random);
    }

    public static String hash(String key) {
        return Sha256.hex(key);
    }

    private static ApiException unauthorized() {
        return new ApiException(401, "unauthorized", "Authorization",
                "send a valid API key as Authorization: Bearer <key>");
    }

    /** Revoking a key names it by tenant and key id. */
    public static void createIndexes(MongoDatabase db) {
        db.getCollection(COLLECTION).createIndex(Indexes.ascending("tenantId", "keyId"), new IndexOptions().unique(true));
    }
}

package voipgateway.sanspbx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import voipgateway.crypto.CredentialCipher;

/**
 * The accounts' SansPBX tokens in MongoDB, shared by every instance: one document per account version (its
 * {@code _id} the account's cache key) with the token encrypted, its expiry, a generation counted up at each new
 * token, and a refresh lock. Only the instance holding the lock asks gentoken; the others take the token it stores.
 * A token the PBX refused is marked stale once, for its generation only, so one refresh serves every instance.
 * Reads are by {@code _id}; the lock and the stale mark filter on more fields and scan the collection, which holds
 * one document per account in use.
 */
public class SharedTokens {

    /** A token as stored, with its generation. */
    public record Held(SansPbxToken token, long generation) {
    }

    private final MongoCollection<Document> tokens;
    private final CredentialCipher cipher;
    private final Clock clock;
    private final Duration lockTime;

    /** @param lockTime how long a refresh may take before another instance may take its lock over */
    public SharedTokens(MongoCollection<Document> tokens, CredentialCipher cipher, Clock clock, Duration lockTime) {
        this.tokens = tokens;
        this.cipher = cipher;
        this.clock = clock;
        this.lockTime = lockTime;
    }

    /** The stored token while it is usable, or null (none, stale, expiring, or encrypted with a retired key). */
    public Held usable(String key) {
        Document stored = tokens.find(Filters.eq("_id", key)).first();
        if (stored == null || stored.getString("token") == null || stored.getDate("refreshAt") == null) {
            return null;
        }
        SansPbxToken token;
        try {
            token = new SansPbxToken(cipher.decrypt(stored.getString("token")), stored.getString("expiryTime"),
                    stored.getDate("refreshAt").toInstant());
        } catch (RuntimeException unreadable) {
            return null;
        }
        return token.usableAt(clock.instant()) ? new Held(token, generation(stored)) : null;
    }

    /** Takes the account's refresh lock: true when this instance is to ask gentoken. */
    public boolean lock(String key) {
        Instant now = clock.instant();
        Date until = Date.from(now.plus(lockTime));
        if (tokens.updateOne(Filters.and(Filters.eq("_id", key), Filters.lt("lockedUntil", Date.from(now))),
                Updates.set("lockedUntil", until)).getMatchedCount() == 1) {
            return true;
        }
        try {
            tokens.insertOne(new Document("_id", key).append("generation", 0L).append("lockedUntil", until));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /** Stores a new token (and frees the lock); answers it with its generation. */
    public Held store(String key, SansPbxToken token) {
        Document stored = tokens.findOneAndUpdate(Filters.eq("_id", key), Updates.combine(
                Updates.set("token", cipher.encrypt(token.apiToken())),
                Updates.set("expiryTime", token.expiryTime()),
                Updates.set("refreshAt", Date.from(token.refreshAt())),
                Updates.set("lockedUntil", new Date(0)),
                Updates.inc("generation", 1L)),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
        return new Held(token, generation(stored));
    }

    private static long generation(Document stored) {
        return stored.get("generation") instanceof Number number ? number.longValue() : 0;
    }

    /** A refresh that failed frees the lock at once, so the next call may try again. */
    public void unlock(String key) {
        tokens.updateOne(Filters.eq("_id", key), Updates.set("lockedUntil", new Date(0)));
    }

    /** The PBX refused this generation: stale for every instance, unless a newer token replaced it already. */
    public void reject(String key, long generation) {
        tokens.updateOne(Filters.and(Filters.eq("_id", key), Filters.eq("generation", generation)),
                Updates.set("refreshAt", new Date(0)));
    }
}

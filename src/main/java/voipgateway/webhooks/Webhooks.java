package voipgateway.webhooks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import voipgateway.crypto.CredentialCipher;
import voipgateway.storage.MongoRequests;
import voipgateway.storage.ReadCache;

/**
 * The tenants' webhook endpoints: one document per tenant in {@code webhooks} ({@code _id}: the tenant, its
 * {@code endpoints}, a {@code version}), so every look-up is one read by {@code _id} and every change a
 * compare-and-set on {@code {_id, version}}. Kept in memory per tenant for voip.cache-seconds (dropped at once here
 * on a change), with the signing keys decrypted: the dial's path asks whether a tenant wants an event at all.
 */
public class Webhooks {

    static final String COLLECTION = "webhooks";

    private final MongoCollection<Document> tenants;
    private final CredentialCipher cipher;
    private final ReadCache<String, List<Webhook>> cache;
    private final Clock clock;

    public Webhooks(MongoDatabase db, CredentialCipher cipher, Duration cacheAge, long cacheEntries, Clock clock) {
        this.tenants = db.getCollection(COLLECTION);
        this.cipher = cipher;
        this.cache = new ReadCache<>(cacheAge, cacheEntries);
        this.clock = clock;
    }

    public static void createIndexes(MongoDatabase db) {
        db.getCollection(COLLECTION).createIndex(Indexes.ascending("_id", "version"), new IndexOptions().unique(true));
    }

    /** Whether any enabled endpoint of the tenant takes this event type. */
    public boolean wants(String tenant, String type) {
        return of(tenant).stream().anyMatch(webhook -> webhook.wants(type));
    }

    /** The tenant's endpoints, as kept in memory. */
    public List<Webhook> of(String tenant) {
        List<Webhook> known = cache.get(tenant);
        if (known == null) {
            known = endpoints(tenants.find(Filters.eq("_id", tenant)).first()).stream()
                    .map(stored -> webhook(tenant, stored)).toList();
            cache.put(tenant, known);
        }
        return known;
    }

    /** One endpoint as kept in memory; null when the tenant has none by that id. */
    public Webhook find(String tenant, String id) {
        return of(tenant).stream().filter(webhook -> webhook.id().equals(id)).findFirst().orElse(null);
    }

    /** The tenant's endpoints as stored now. */
    public List<Document> stored(String tenant) {
        return endpoints(tenants.find(Filters.eq("_id", tenant)).first());
    }

    /**
     * Changes the tenant's endpoints by a compare-and-set, computed again from a fresh read when another writer came
     * first; answers the endpoints as written.
     */
    public List<Document> change(String tenant, UnaryOperator<List<Document>> change) {
        while (true) {
            Document stored = tenants.find(Filters.eq("_id", tenant)).first();
            List<Document> changed = change.apply(new ArrayList<>(endpoints(stored)));
            if (changed == null) {
                return endpoints(stored);
            }
            try {
                if (stored == null) {
                    tenants.insertOne(new Document("_id", tenant).append("endpoints", changed).append("version", 1));
                } else if (tenants.findOneAndUpdate(MongoRequests.match("_id", tenant, "version",
                        stored.getInteger("version")), Updates.combine(Updates.set("endpoints", changed),
                        Updates.inc("version", 1))) == null) {
                    continue;
                }
            } catch (MongoWriteException e) {
                if (ErrorCategory.fromErrorCode(e.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                continue;
            }
            cache.forget(tenant);
            return changed;
        }
    }

    /** An attempt failed: the endpoint is failing since then, and disabled once it has failed for that long. */
    public void failing(Webhook webhook, String error, Duration disableAfter) {
        Instant now = clock.instant();
        if (webhook.failingSince() != null && webhook.failingSince().plus(disableAfter).isAfter(now)) {
            return;
        }
        change(webhook.tenant(), endpoints -> {
            Document endpoint = endpoint(endpoints, webhook.id());
            if (endpoint == null || !endpoint.getBoolean("enabled", true)) {
                return null;
            }
            Date since = endpoint.getDate("failingSince");
            if (since == null) {
                endpoint.append("failingSince", Date.from(now));
            } else if (!since.toInstant().plus(disableAfter).isAfter(now)) {
                endpoint.append("enabled", false).append("disabledReason", "failing since " + since.toInstant()
                        + " (last: " + error + ")");
            } else {
                return null;
            }
            return endpoints;
        });
    }

    /** An attempt was answered 2xx: the endpoint is no longer failing. */
    public void answering(Webhook webhook) {
        if (webhook.failingSince() == null) {
            return;
        }
        change(webhook.tenant(), endpoints -> {
            Document endpoint = endpoint(endpoints, webhook.id());
            if (endpoint == null || endpoint.get("failingSince") == null) {
                return null;
            }
            endpoint.remove("failingSince");
            return endpoints;
        });
    }

    /** The stored endpoint of this id among a tenant's; null when there is none. */
    static Document endpoint(List<Document> endpoints, String id) {
        return endpoints.stream().filter(e -> id.equals(e.getString("id"))).findFirst().orElse(null);
    }

    private Webhook webhook(String tenant, Document stored) {
        List<Webhook.Key> keys = new ArrayList<>();
        for (Document secret : stored.getList("secrets", Document.class, List.of())) {
            Date expires = secret.getDate("expiresAt");
            keys.add(new Webhook.Key(WebhookSignatures.key(cipher.decrypt(secret.getString("value"))),
                    expires == null ? null : expires.toInstant()));
        }
        Date since = stored.getDate("failingSince");
        return new Webhook(stored.getString("id"), tenant, stored.getString("url"),
                stored.getList("events", String.class, List.of()), stored.getString("description"),
                stored.getBoolean("enabled", true), stored.getString("disabledReason"), keys,
                stored.getDate("createdAt").toInstant(), since == null ? null : since.toInstant());
    }

    private static List<Document> endpoints(Document stored) {
        return stored == null ? List.of() : stored.getList("endpoints", Document.class, List.of());
    }
}

package voipgateway.providers;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import voipgateway.api.ApiException;
import voipgateway.crypto.CredentialCipher;
import voipgateway.storage.Collections;
import voipgateway.storage.MongoRequests;

/**
 * How provider accounts look in {@code voipproviders}: the credential fields its adapter declares (the secret ones
 * encrypted), found again by a keyed fingerprint of the fields that identify it, and shown to clients without any
 * secret.
 */
public class ProviderStore {

    private static final List<String> LEGACY_SANSPBX_SECRETS = List.of("tokenEndpoint", "dialEndpoint",
            "accessToken", "accessKey", "username", "password");
    private static final List<String> LEGACY_SANSPBX_IDENTITY = List.of("tokenEndpoint", "username", "accessKey");

    private final CredentialCipher cipher;
    private final ProviderAdapters adapters;
    private final ProviderAccount.Limits defaultLimits;
    private final Map<String, ProviderAccount> opened = new ConcurrentHashMap<>();

    public ProviderStore(CredentialCipher cipher, ProviderAdapters adapters, ProviderAccount.Limits defaultLimits) {
        this.cipher = cipher;
        this.adapters = adapters;
        this.defaultLimits = defaultLimits;
    }

    public void queryExisting(@ExchangeProperty("registration") ProviderRegistration registration,
            @ExchangeProperty("tenantId") String tenant, Message message) {
        MongoRequests.query(message, Filters.in("accountKey", accountKeys(registration, tenant)));
    }

    /** The tenant's own providers. */
    public void queryMine(@ExchangeProperty("tenantId") String tenant, Message message) {
        MongoRequests.query(message, Filters.eq("userId", tenant));
    }

    /**
     * Stores the account: a new document, or the same account's document updated (never a duplicate). Its
     * secret fields are encrypted; the document names them ({@code secretFields}) and the fields that identify
     * the account ({@code identityFields}), so it can be read and re-keyed without its adapter.
     */
    public void upsert(@ExchangeProperty("registration") ProviderRegistration registration,
            @ExchangeProperty("tenantId") String tenant, Message message) {
        ProviderAccount account = registration.account();
        Date now = new Date();
        Document credentials = new Document();
        account.fields().forEach((field, value) -> credentials.append(field,
                account.secretFields().contains(field) ? cipher.encrypt(value) : value));
        // found under the current or a previous key's fingerprint; stored under the current one
        List<String> keys = accountKeys(registration, tenant);
        MongoRequests.update(message, Filters.in("accountKey", keys), Updates.combine(
                Updates.set("accountKey", keys.get(0)),
                Updates.set("userId", tenant),
                Updates.set("provider", registration.provider()),
                Updates.set("credentials", credentials),
                Updates.set("secretFields", account.secretFields()),
                Updates.set("identityFields", registration.adapter().identityFields()),
                limit("callsPerSecond", account.limits().callsPerSecond()),
                limit("maxConcurrentCalls", account.limits().maxConcurrentCalls()),
                Updates.set("isVerified", true),
                Updates.set("isActive", true),
                Updates.set("updatedAt", now),
                Updates.setOnInsert("createdAt", now)), true);
    }

    public void queryForCall(@ExchangeProperty("call") Document call, Message message) {
        MongoRequests.query(message, Filters.eq("_id", call.getObjectId("providerId")));
    }

    /** The account behind a number: by {@code _id} (an index everywhere), checked by {@link #open}. */
    public void queryForNumber(@ExchangeProperty("number") Document number, Message message) {
        MongoRequests.query(message, Filters.eq("_id", number.getObjectId("providerId")));
    }

    /**
     * The tenant's active stored account with its credentials decrypted, for the request that is about to use
     * them. Decrypting costs a key derivation per field (milliseconds), so each stored version of an account is
     * decrypted once.
     */
    public ProviderAccount open(Document provider, @ExchangeProperty("tenantId") String tenant) {
        if (provider == null || !tenant.equals(provider.getString("userId"))
                || !provider.getBoolean("isActive", false)) {
            throw ApiException.notFound("agentId", "No VOIP provider assigned to this agent");
        }
        String id = provider.getObjectId("_id").toHexString();
        long version = versionOf(provider);
        ProviderAccount account = opened.get(id);
        if (account == null || account.version() != version) {
            ProviderAdapter adapter = adapters.forStored(provider.getString("provider"));
            Document limits = provider.get("limits", new Document());
            account = new ProviderAccount(id, version, adapter.getProvider(), adapter.getId(),
                    decrypt(provider, cipher), secretFields(provider), new ProviderAccount.Limits(
                            limits.getInteger("callsPerSecond", defaultLimits.callsPerSecond()),
                            limits.getInteger("maxConcurrentCalls", defaultLimits.maxConcurrentCalls())));
            opened.put(id, account);
        }
        return account;
    }

    /** A stored account's version: it changes whenever the account does (its updatedAt). */
    public static long versionOf(Document provider) {
        return provider.getDate("updatedAt").getTime();
    }

    /** The stored credentials in clear. */
    public static Map<String, String> decrypt(Document provider, CredentialCipher cipher) {
        List<String> secret = secretFields(provider);
        Map<String, String> fields = new LinkedHashMap<>();
        provider.get("credentials", Document.class).forEach((field, value) -> fields.put(field,
                secret.contains(field) ? cipher.decrypt((String) value) : (String) value));
        return fields;
    }

    /** Accounts stored before adapters (SansPBX only) name no secret fields: all but appId were encrypted. */
    public static List<String> secretFields(Document provider) {
        return provider.getList("secretFields", String.class, LEGACY_SANSPBX_SECRETS);
    }

    /** What identifies an account, as {@code accountKey} fingerprints it. */
    public static String[] accountParts(String tenant, String provider, List<String> identityFields,
            Map<String, String> fields) {
        List<String> parts = new ArrayList<>(List.of(tenant, provider));
        identityFields.forEach(field -> parts.add(fields.get(field)));
        return parts.toArray(String[]::new);
    }

    public static List<String> identityFields(Document provider) {
        return provider.getList("identityFields", String.class, LEGACY_SANSPBX_IDENTITY);
    }

    /** What clients see of a provider: never a credential. */
    public static Map<String, Object> view(Document provider, List<Map<String, Object>> dids) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", provider.getObjectId("_id").toHexString());
        view.put("provider", provider.getString("provider"));
        // what is not secret of the account (SansPBX: appId)
        List<String> secret = secretFields(provider);
        provider.get("credentials", Document.class).forEach((field, value) -> {
            if (!secret.contains(field)) {
                view.putIfAbsent(field, value);
            }
        });
        view.put("limits", provider.get("limits", new Document()));
        view.put("isVerified", provider.getBoolean("isVerified", false));
        view.put("isActive", provider.getBoolean("isActive", false));
        view.put("createdAt", provider.getDate("createdAt").toInstant().toString());
        view.put("updatedAt", provider.getDate("updatedAt").toInstant().toString());
        if (dids != null) {
            view.put("dids", dids);
        }
        return view;
    }

    /** A limit given with the account (-1: not given, what was stored stays). */
    private static Bson limit(String name, int value) {
        return value < 0 ? new Document() : Updates.set("limits." + name, value);
    }

    private List<String> accountKeys(ProviderRegistration registration, String tenant) {
        return cipher.fingerprints(accountParts(tenant, registration.provider(),
                registration.adapter().identityFields(), registration.account().fields()));
    }

    /** One stored account per provider login; found again by its keyed fingerprint. */
    public static void createIndexes(MongoDatabase db) {
        db.getCollection(Collections.PROVIDERS).createIndex(Indexes.ascending("accountKey"), new IndexOptions().unique(true));
    }
}

package voipgateway.providers;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.crypto.CredentialCipher;
import voipgateway.numbers.NumberStore;
import voipgateway.storage.MongoRequests;

/**
 * How provider accounts look in {@code voipproviders}: every credential field encrypted, found again by a keyed
 * fingerprint of the login, and shown to clients without any secret.
 */
public class ProviderStore {

    private final CredentialCipher cipher;
    private final Map<String, SansPbxAccount> opened = new ConcurrentHashMap<>();

    public ProviderStore(CredentialCipher cipher) {
        this.cipher = cipher;
    }

    public void queryExisting(@ExchangeProperty("registration") ProviderRegistration registration,
            @ExchangeProperty("tenantId") String tenant, Message message) {
        MongoRequests.query(message, Filters.in("accountKey", accountKeys(registration, tenant)));
    }

    /** The tenant's own providers. */
    public void queryMine(@ExchangeProperty("tenantId") String tenant, Message message) {
        MongoRequests.query(message, Filters.eq("userId", tenant));
    }

    /** Stores the account: a new document, or the same account's document updated (never a duplicate). */
    public void upsert(@ExchangeProperty("registration") ProviderRegistration registration,
            @ExchangeProperty("tenantId") String tenant, Message message) {
        SansPbxAccount account = registration.account();
        Date now = new Date();
        Document credentials = new Document()
                .append("tokenEndpoint", cipher.encrypt(account.tokenEndpoint()))
                .append("dialEndpoint", cipher.encrypt(account.dialEndpoint()))
                .append("accessToken", cipher.encrypt(account.accessToken()))
                .append("accessKey", cipher.encrypt(account.accessKey()))
                .append("appId", Long.toString(account.appId()))
                .append("username", cipher.encrypt(account.username()))
                .append("password", cipher.encrypt(account.password()));
        // found under the current or a previous key's fingerprint; stored under the current one
        List<String> keys = accountKeys(registration, tenant);
        MongoRequests.update(message, Filters.in("accountKey", keys), Updates.combine(
                Updates.set("accountKey", keys.get(0)),
                Updates.set("userId", tenant),
                Updates.set("provider", registration.provider()),
                Updates.set("credentials", credentials),
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
    public SansPbxAccount open(Document provider, @ExchangeProperty("tenantId") String tenant) {
        if (provider == null || !tenant.equals(provider.getString("userId"))
                || !provider.getBoolean("isActive", false)) {
            throw ApiException.notFound("agentId", "No VOIP provider assigned to this agent");
        }
        String id = provider.getObjectId("_id").toHexString();
        long version = versionOf(provider);
        SansPbxAccount account = opened.get(id);
        if (account == null || account.version() != version) {
            account = decrypt(id, version, provider.get("credentials", Document.class));
            opened.put(id, account);
        }
        return account;
    }

    /** A stored account's version: it changes whenever the account does (its updatedAt). */
    public static long versionOf(Document provider) {
        return provider.getDate("updatedAt").getTime();
    }

    private SansPbxAccount decrypt(String id, long version, Document c) {
        return new SansPbxAccount(id, version,
                cipher.decrypt(c.getString("tokenEndpoint")), cipher.decrypt(c.getString("dialEndpoint")),
                cipher.decrypt(c.getString("accessToken")), cipher.decrypt(c.getString("accessKey")),
                Long.parseLong(c.getString("appId")), cipher.decrypt(c.getString("username")),
                cipher.decrypt(c.getString("password")));
    }

    /** The answer to add-provider: 201 with a new account, 200 with an updated one, and the DID it brought. */
    public Map<String, Object> added(@ExchangeProperty("provider") Document provider,
            @ExchangeProperty("existingProvider") Document existing, @Body Document number, Message message) {
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, existing == null ? 201 : 200);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.put("message", "VOIP provider added successfully");
        answer.put("provider", view(provider, List.of(NumberStore.view(number))));
        return answer;
    }

    /** Every provider with the DIDs it brought. */
    public List<Map<String, Object>> list(@ExchangeProperty("providers") List<Document> providers,
            @Body List<Document> numbers) {
        return providers.stream().map(p -> view(p, numbers.stream()
                .filter(n -> p.get("_id").equals(n.get("providerId"))).map(NumberStore::view).toList())).toList();
    }

    /** What clients see of a provider: never a credential. */
    public Map<String, Object> view(Document provider, List<Map<String, Object>> dids) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", provider.getObjectId("_id").toHexString());
        view.put("provider", provider.getString("provider"));
        view.put("isVerified", provider.getBoolean("isVerified", false));
        view.put("isActive", provider.getBoolean("isActive", false));
        view.put("appId", provider.get("credentials", Document.class).getString("appId"));
        view.put("createdAt", provider.getDate("createdAt").toInstant().toString());
        view.put("updatedAt", provider.getDate("updatedAt").toInstant().toString());
        if (dids != null) {
            view.put("dids", dids);
        }
        return view;
    }

    private List<String> accountKeys(ProviderRegistration registration, String tenant) {
        SansPbxAccount account = registration.account();
        return cipher.fingerprints(accountParts(tenant, registration.provider(), account));
    }

    /** What identifies a provider account (its fingerprint is stored as accountKey). */
    public static String[] accountParts(String tenant, String provider, SansPbxAccount account) {
        return new String[] {tenant, provider, account.tokenEndpoint(), account.username(), account.accessKey()};
    }
}

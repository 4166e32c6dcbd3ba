package voipgateway.tenants;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.Ids;
import voipgateway.api.JsonRequest;
import voipgateway.storage.MongoRequests;

/**
 * The small admin surface, guarded by VOIP_ADMIN_KEY: create tenants, give them API keys (shown once, stored
 * as hashes), revoke keys. Without an admin key configured, every admin request is refused.
 */
public class TenantAdmin {

    private static final Set<String> TENANT_FIELDS = Set.of("tenantId", "name");

    private final String adminKey;
    private final KeyGuesses guesses;

    public TenantAdmin(String adminKey, KeyGuesses guesses) {
        this.adminKey = adminKey == null ? "" : adminKey;
        this.guesses = guesses;
    }

    public void authenticate(@Header("Authorization") String authorization, Exchange exchange) {
        if (authorization != null) {
            // an address that guessed too often is refused before its key is looked at (KeyGuesses)
            guesses.check(exchange);
        }
        String given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : "";
        if (adminKey.isBlank() || !MessageDigest.isEqual(adminKey.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8))) {
            if (authorization != null) {
                guesses.failed(exchange);
            }
            throw new ApiException(401, "unauthorized", "Authorization",
                    "the admin API needs Authorization: Bearer <VOIP_ADMIN_KEY>");
        }
    }

    /** {@code POST /admin/tenants {tenantId, name?}}: the tenant document (a duplicate id is a 409). */
    public Document newTenant(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType, Exchange exchange) {
        JsonRequest json = JsonRequest.parse(body, contentType, TENANT_FIELDS);
        String tenantId = json.id("tenantId");
        exchange.setProperty("tenantId", tenantId);
        Document tenant = new Document("_id", tenantId).append("createdAt", new Date());
        String name = json.optionalText("name");
        if (name != null) {
            tenant.append("name", name);
        }
        return tenant;
    }

    public void queryTenant(@Header("tenantId") String tenantId, Exchange exchange) {
        if (!Ids.isValid(tenantId)) {
            throw ApiException.notFound("tenantId", "tenant does not exist");
        }
        exchange.setProperty("tenantId", tenantId);
        MongoRequests.query(exchange.getMessage(), Filters.eq("_id", tenantId));
    }

    public void requireTenant(Document tenant) {
        if (tenant == null) {
            throw ApiException.notFound("tenantId", "tenant does not exist");
        }
    }

    /** A new key for the tenant: the stored entry; the key itself is kept only for the answer. */
    public Document newKey(@ExchangeProperty("tenantId") String tenantId, Exchange exchange) {
        String key = ApiKeys.newKey();
        String keyId = ApiKeys.hash(key).substring(0, 16);
        exchange.setProperty("newKey", Map.of("tenantId", tenantId, "keyId", keyId, "apiKey", key));
        return new Document("_id", ApiKeys.hash(key)).append("keyId", keyId).append("tenantId", tenantId)
                .append("revoked", false).append("createdAt", new Date());
    }

    /** The answer with the new key: the only time it is shown. */
    public Map<String, Object> issued(@ExchangeProperty("newKey") Map<String, Object> key, Message message) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        Map<String, Object> answer = new LinkedHashMap<>(key);
        answer.put("message", "keep this API key now: it is stored only as a hash and cannot be shown again");
        return answer;
    }

    public void revoke(@Header("tenantId") String tenantId, @Header("keyId") String keyId, Message message) {
        MongoRequests.update(message, MongoRequests.match("tenantId", tenantId, "keyId", keyId),
                Updates.combine(Updates.set("revoked", true), Updates.set("revokedAt", new Date())), false);
    }

    public Map<String, Object> revoked(Document key, Message message) {
        if (key == null) {
            throw ApiException.notFound("keyId", "no such key for this tenant");
        }
        message.removeHeaders("*");
        return Map.of("success", true, "keyId", key.getString("keyId"), "revoked", true);
    }
}

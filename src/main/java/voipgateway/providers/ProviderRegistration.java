package voipgateway.providers;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;

/**
 * A validated {@code POST /voip/add-provider} body: {@code provider}, {@code did} and the credential fields its
 * adapter declares (each checked by its kind), as the account to store and the DID it brings.
 */
public record ProviderRegistration(ProviderAdapter adapter, ProviderAccount account, String did) {

    public String provider() {
        return adapter.getProvider();
    }

    /** Reads the body against the adapters loaded now (bean {@code providerAdapters}). */
    /** An optional pacing limit: absent, the service's default; 0, none. */
    private static int limit(JsonRequest json, String field) {
        if (!json.has(field)) {
            return -1;
        }
        return (int) json.count(field, 100_000);
    }

    public static ProviderRegistration parse(String body, String contentType, ProviderAdapters adapters) {
        JsonRequest json = JsonRequest.parse(body, contentType);
        ProviderAdapter adapter = adapters.require(json.text("provider"), "provider");
        Set<String> allowed = new HashSet<>(adapter.getCredentials().keySet());
        allowed.add("provider");
        allowed.add("did");
        allowed.add("callsPerSecond");
        allowed.add("maxConcurrentCalls");
        json.allowOnly(allowed);
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : adapter.getCredentials().keySet()) {
            if (adapter.is(field, "optional") && !json.has(field)) {
                continue;
            }
            fields.put(field, adapter.requireFormat(field, adapter.is(field, "url") ? json.url(field)
                    : adapter.is(field, "number") ? Long.toString(json.wholeNumber(field)) : json.text(field)));
        }
        if (fields.getOrDefault("username", "").contains(":")) {
            // every provider here takes it in Basic auth
            throw ApiException.badRequest("username", "username must not contain ':' (it separates user and password in Basic-auth)");
        }
        ProviderAccount.Limits limits = new ProviderAccount.Limits(limit(json, "callsPerSecond"),
                limit(json, "maxConcurrentCalls"));
        ProviderAccount account = new ProviderAccount(null, 0, adapter.getProvider(), adapter.getId(), fields,
                adapter.secretFields(), limits);
        return new ProviderRegistration(adapter, account, Dids.require(json.text("did"), "did"));
    }
}

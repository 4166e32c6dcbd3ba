package voipgateway.providers;

/**
 * A SansPBX account with its credentials in clear, held only in memory while a request needs them.
 * {@code id} is null until the account is stored; {@code version} changes whenever the stored account does.
 */
public record SansPbxAccount(String id, long version, String tokenEndpoint, String dialEndpoint, String accessToken,
        String accessKey, long appId, String username, String password) {

    /** The key a token is cached under: a changed account never reuses the old account's token. */
    public String cacheKey() {
        return cacheKey(id, version);
    }

    public static String cacheKey(String id, long version) {
        return id + "@" + version;
    }

    /** The token endpoint as the log shows it: a query string could carry a secret, so it is masked. */
    public String tokenEndpointForLog() {
        int query = tokenEndpoint.indexOf('?');
        return query < 0 ? tokenEndpoint : tokenEndpoint.substring(0, query) + "?***";
    }

    @Override
    public String toString() {
        return "SansPbxAccount[id=" + id + ", appId=" + appId + ", credentials=***]";
    }
}

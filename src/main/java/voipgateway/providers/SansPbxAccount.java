package voipgateway.providers;

/**
 * A SansPBX account with its credentials in clear, held only in memory while a request needs them.
 * {@code id} is null until the account is stored; {@code version} changes whenever the stored account does.
 */
public record SansPbxAccount(String id, long version, String tokenEndpoint, String dialEndpoint, String accessToken,
        String accessKey, long appId, String username, String password) {

    /** The key a token is cached under: a changed account never reuses the old account's token. */
    public String cacheKey() {
        return id + "@" + version;
    }

    @Override
    public String toString() {
        return "SansPbxAccount[id=" + id + ", appId=" + appId + ", credentials=***]";
    }
}

package voipgateway.providers;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import voipgateway.api.ProviderRefusedException;

/**
 * A provider account with its credentials in clear, held only in memory while a request needs them.
 * {@code id} is null until the account is stored; {@code version} changes whenever the stored account does;
 * {@code adapter} is the id of its adapter's routes ({@code direct:<adapter>-dial}); {@code limits} its pacing.
 */
public record ProviderAccount(String id, long version, String provider, String adapter, Map<String, String> fields,
        List<String> secretFields, Limits limits) {

    /** The account's pacing: calls a second and calls live at once (0: no limit). */
    public record Limits(int callsPerSecond, int maxConcurrentCalls) {
        public static final Limits NONE = new Limits(0, 0);
    }

    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9._-]*");

    /** A credential the adapter declared; an optional one not given is null. */
    public String field(String name) {
        return fields.get(name);
    }

    public long number(String name) {
        return Long.parseLong(fields.get(name));
    }

    /** A URL field as the log shows it: a query string could carry a secret, so it is masked. */
    public String urlForLog(String name) {
        String url = fields.get(name);
        int query = url == null ? -1 : url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?***";
    }

    /** A URL field's URL with its last path segment (and query) replaced: an API next to the one it names. */
    public String urlBeside(String name, String segment) {
        String url = fields.get(name);
        int query = url.indexOf('?');
        String path = query < 0 ? url : url.substring(0, query);
        return path.substring(0, path.lastIndexOf('/') + 1) + segment;
    }

    /** The key a token is cached under: a changed account never reuses the old account's token. */
    public String cacheKey() {
        return cacheKey(id, version);
    }

    public static String cacheKey(String id, long version) {
        return id + "@" + version;
    }

    /**
     * Provider text is shown to clients and logs: cut short, with anything secret it repeats blanked out (the
     * account's secret credentials and any JWT-shaped token).
     */
    public String mask(String text) {
        String masked = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        masked = JWT.matcher(masked).replaceAll("***");
        for (String field : secretFields) {
            String secret = fields.get(field);
            if (secret != null && !secret.isEmpty()) {
                masked = masked.replace(secret, "***");
            }
        }
        return masked;
    }

    /** The provider said no: its words, masked, after the provider's name. */
    public ProviderRefusedException refusal(String message) {
        return new ProviderRefusedException(provider + ": " + mask(message));
    }

    @Override
    public String toString() {
        return "ProviderAccount[id=" + id + ", provider=" + provider + ", credentials=***]";
    }
}

package voipgateway.providers;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

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

    /** A credential the adapter declared; an optional one not given is null. */
    public String field(String name) {
        return fields.get(name);
    }

    /**
     * A field as one URL path segment: everything but letters, digits and {@code -._~} percent-encoded, so no value
     * can add a segment ({@code /}, {@code ..}), a query or a placeholder to the URL it is placed in.
     */
    public String segment(String name) {
        String value = fields.get(name);
        // "." and ".." would name a directory: their dots are encoded too
        boolean onlyDots = value.chars().allMatch(c -> c == '.');
        StringBuilder segment = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || c == '~' || (c == '.' && !onlyDots);
            segment.append(plain ? String.valueOf(c) : String.format("%%%02X", b & 0xff));
        }
        return segment.toString();
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

    /** Provider text as this service keeps it: every form of the account's secrets blanked out, then cut. */
    public String mask(String text) {
        return Masking.mask(text, Masking.forms(fields, secretFields));
    }

    /**
     * The provider said no to {@code what} (HTTP status 0: none to tell); its words, masked, are kept for diagnosis
     * only.
     */
    public ProviderRefusedException refusal(String what, int httpStatus, String providerText) {
        return new ProviderRefusedException(provider, what, httpStatus, providerText == null ? null : mask(providerText));
    }

    @Override
    public String toString() {
        return "ProviderAccount[id=" + id + ", provider=" + provider + ", credentials=***]";
    }
}

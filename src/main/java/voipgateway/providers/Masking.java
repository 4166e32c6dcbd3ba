package voipgateway.providers;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * The one masking function for text from outside that this service keeps (a provider's refusal in a log line, a
 * stored reason or an event; a callback's payload): first every form a credential can take in it is blanked out,
 * then the text is cut. Masking before cutting leaves no prefix of a secret at the cut.
 * <ul>
 * <li>each secret as given, URL-encoded, JSON-escaped and Base64-encoded;</li>
 * <li>Base64 of {@code user:password} for every pair of an account's fields whose second is secret (Basic
 * authorization: {@code username:password}, {@code accountSid:authToken});</li>
 * <li>whatever the text itself says is a credential: the value after {@code Authorization}, {@code Apitoken},
 * {@code Basic} or {@code Bearer}, and anything shaped like a JWT.</li>
 * </ul>
 */
public final class Masking {

    public static final String MASK = "***";
    /** How much of a text from outside is kept. */
    public static final int KEPT = 200;

    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9._-]*");
    private static final Pattern SCHEME = Pattern.compile("(?i)\\b(Basic|Bearer)(\\s+|%20|\\+)[A-Za-z0-9._~+/%-]+=*");
    private static final Pattern NAMED = Pattern.compile(
            "(?i)(authorization|apitoken|api[_-]?token|api[_-]?key|access[_-]?token|access[_-]?key|auth[_-]?token"
                    + "|password|passwd|secret|x-api-key)"
                    + "(\\\\?[\"']?\\s*[:=]\\s*\\\\?[\"']?)([^\\s\"'\\\\,;&}]+)");
    /** Shorter values (an app id, a port) are left alone: masking them would blank unrelated text. */
    private static final int SHORTEST_SECRET = 4;

    private Masking() {
    }

    /** Text from outside with the credential-shaped values it holds blanked out, then cut to {@link #KEPT}. */
    public static String mask(String text) {
        return mask(text, Set.of());
    }

    /** Text from outside with every form of these secrets, and every credential-shaped value, blanked out; cut. */
    public static String mask(String text, Collection<String> forms) {
        return mask(text, forms, KEPT);
    }

    /** The same, cut to {@code kept} characters. */
    public static String mask(String text, Collection<String> forms, int kept) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String form : forms) {
            masked = masked.replace(form, MASK);
        }
        masked = JWT.matcher(masked).replaceAll(MASK);
        masked = SCHEME.matcher(masked).replaceAll("$1 " + MASK);
        masked = NAMED.matcher(masked).replaceAll("$1$2" + MASK);
        return masked.length() > kept ? masked.substring(0, kept) + "..." : masked;
    }

    /**
     * Every form the secret fields of an account can take in a provider's text, longest first (so a longer form
     * is blanked whole before a shorter one inside it).
     */
    public static Set<String> forms(Map<String, String> fields, Collection<String> secretFields) {
        Set<String> forms = new LinkedHashSet<>();
        for (String field : secretFields) {
            String secret = fields.get(field);
            if (secret == null || secret.length() < SHORTEST_SECRET) {
                continue;
            }
            forms.add(secret);
            String url = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            forms.add(url);
            forms.add(url.replace("+", "%20"));
            forms.add(new String(JsonStringEncoder.getInstance().quoteAsString(secret)));
            forms.add(new String(JsonStringEncoder.getInstance().quoteAsString(secret)).replace("/", "\\/"));
            forms.add(base64(secret));
            for (String user : fields.values()) {
                if (user != null) {
                    forms.add(base64(user + ":" + secret));
                }
            }
        }
        var longestFirst = new ArrayList<>(forms);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        return new LinkedHashSet<>(longestFirst);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}

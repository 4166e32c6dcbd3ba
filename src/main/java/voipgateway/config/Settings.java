package voipgateway.config;

import java.net.URI;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.spi.PropertiesComponent;

/**
 * The settings of application.properties (or their environment variables), read once at start-up and checked:
 * a value the service cannot honour is a one-line refusal to start that names the setting and its variable,
 * never a service that hangs or fails later on the first request.
 */
public final class Settings {

    /** A label's name (after an optional DNS prefix and a slash) or value, as Kubernetes allows them. */
    private static final String LABEL_TEXT = "[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?";
    private static final Pattern LABEL = Pattern.compile(
            "((?:[a-z0-9][-a-z0-9.]*/)?" + LABEL_TEXT + ")=(" + LABEL_TEXT + ")");

    private final PropertiesComponent props;

    public Settings(PropertiesComponent props) {
        this.props = props;
    }

    public String text(String key, String otherwise) {
        return props.resolveProperty(key).orElse(otherwise).trim();
    }

    /** A comma-separated list: its items trimmed, empty ones left out. */
    public List<String> list(String key, String otherwise) {
        return List.of(text(key, otherwise).split(",")).stream().map(String::trim).filter(item -> !item.isEmpty())
                .toList();
    }

    public boolean flag(String key) {
        String value = text(key, "false").toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw refuse(key, value, "true or false");
        }
        return Boolean.parseBoolean(value);
    }

    public long whole(String key, long min, long max) {
        String value = text(key, "");
        try {
            long number = Long.parseLong(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw refuse(key, value, "a whole number from " + min + " to " + max);
    }

    public int port(String key, int min) {
        return (int) whole(key, min, 65_535);
    }

    public Duration seconds(String key, long min, long max) {
        return Duration.ofSeconds(whole(key, min, max));
    }

    public Duration millis(String key, long min, long max) {
        return Duration.ofMillis(whole(key, min, max));
    }

    public ZoneId zone(String key) {
        String value = text(key, "");
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw refuse(key, value, "a time zone such as Asia/Kolkata");
        }
    }

    /** An absolute http(s) URL, or empty (= not set). */
    public String url(String key) {
        String value = text(key, "");
        if (value.isEmpty()) {
            return value;
        }
        try {
            // a URL template's {provider} stands for a provider adapter's id
            URI uri = new URI(value.replace("{provider}", "provider"));
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return value;
            }
        } catch (Exception e) {
            // refused below
        }
        // a URL may carry a token: it is not repeated
        throw new IllegalStateException("setting " + key + " (" + variable(key) + ") must be an absolute http(s)"
                + " URL, or empty");
    }

    /** One of the given words. */
    public String oneOf(String key, String... words) {
        String value = text(key, "");
        if (List.of(words).contains(value)) {
            return value;
        }
        throw refuse(key, value, "one of " + String.join(", ", words));
    }

    /** Labels as Kubernetes writes them in a selector: {@code name=value[,name=value]}, at least one. */
    public Map<String, String> labels(String key) {
        String value = text(key, "");
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : value.split(",")) {
            Matcher label = LABEL.matcher(pair.trim());
            if (!label.matches()) {
                throw refuse(key, value, "labels such as app=voip-gateway[,tier=dialer]");
            }
            labels.put(label.group(1), label.group(2));
        }
        return labels;
    }

    /** One setting against another: {@code check} false is a refusal that says why. */
    public static void require(boolean check, String key, String why) {
        if (!check) {
            throw new IllegalStateException("setting " + key + " (" + variable(key) + ") " + why);
        }
    }

    private static IllegalStateException refuse(String key, String value, String expected) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return new IllegalStateException("setting " + key + " (" + variable(key) + ") must be " + expected
                + ", not '" + shown + "'");
    }

    /** The environment variable that overrides a key, as camel-main names it. */
    public static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}

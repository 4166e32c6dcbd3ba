package voipgateway.callbacks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.bson.Document;
import voipgateway.providers.Masking;

/**
 * A provider's callback as it is kept in history: every field, except those whose name says secret and where a
 * recording is; values masked
 * ({@link Masking}) and cut; names that MongoDB could read as an operator or a path ({@code $set}, {@code a.b})
 * kept with look-alike characters instead (U+FF04 for {@code $}, U+FF0E for {@code .}), control characters as
 * {@code ?}.
 */
final class Payloads {

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(token|password|secret|auth|key|signature).*");
    /** Where a recording is kept: the call's own, never shown (GET /calls/{id}/recording passes the audio on). */
    private static final Pattern RECORDING_NAME = Pattern.compile("(?i)(recording.*url|recfile)");
    private static final int MAX_VALUE = 2000;
    private static final int MAX_NAME = 100;

    private Payloads() {
    }

    static Document withoutSecrets(Map<String, ?> fields) {
        Document kept = new Document();
        fields.forEach((name, value) -> {
            if (SECRET_NAME.matcher(name).matches() || RECORDING_NAME.matcher(name).matches()) {
                return;
            }
            kept.put(safeName(name), safeValue(value));
        });
        return kept;
    }

    private static Object safeValue(Object value) {
        if (value instanceof Map<?, ?> nested) {
            @SuppressWarnings("unchecked")
            Map<String, ?> inner = (Map<String, ?>) nested;
            return withoutSecrets(inner);
        }
        if (value instanceof Iterable<?> many) {
            List<Object> kept = new ArrayList<>();
            many.forEach(item -> kept.add(safeValue(item)));
            return kept;
        }
        if (value instanceof Number || value instanceof Boolean || value == null) {
            return value;
        }
        return Masking.mask(value.toString(), Set.of(), MAX_VALUE);
    }

    /** A text of at most {@code max} characters. */
    static String cut(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }

    /** A field name as a stored key: never an operator ({@code $...}), never a path ({@code a.b}). */
    static String safeName(String name) {
        String safe = name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
        return safe.replace('$', '\uFF04').replace('.', '\uFF0E').replaceAll("\\p{Cntrl}", "?");
    }
}

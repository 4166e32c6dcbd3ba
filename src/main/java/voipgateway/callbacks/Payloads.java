package voipgateway.callbacks;

import java.util.Map;
import java.util.regex.Pattern;

import org.bson.Document;

/** A provider's callback as it is kept in history: every field, except those whose name says secret. */
final class Payloads {

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(token|password|secret|auth|key|signature).*");
    private static final int MAX_VALUE = 2000;

    private Payloads() {
    }

    static Document withoutSecrets(Map<String, ?> fields) {
        Document kept = new Document();
        fields.forEach((name, value) -> {
            if (SECRET_NAME.matcher(name).matches()) {
                return;
            }
            if (value instanceof Map<?, ?> nested) {
                @SuppressWarnings("unchecked")
                Map<String, ?> inner = (Map<String, ?>) nested;
                kept.put(name, withoutSecrets(inner));
            } else if (value != null) {
                String text = value.toString();
                kept.put(name, text.length() > MAX_VALUE ? text.substring(0, MAX_VALUE) : value);
            } else {
                kept.put(name, null);
            }
        });
        return kept;
    }
}

package voipgateway.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request body read as a JSON object, with typed accessors that fail with a 400 naming the field.
 * Unknown fields are refused, so a typo never silently drops a value.
 */
public final class JsonRequest {

    private static final int MAX_TEXT = 512;

    private final JsonNode root;

    private JsonRequest(JsonNode root) {
        this.root = root;
    }

    public static JsonRequest parse(String body, String contentType, Set<String> allowedFields) {
        return parse(body, contentType).allowOnly(allowedFields);
    }

    /** The body as a JSON object, its fields not checked yet (see {@link #allowOnly}). */
    public static JsonRequest parse(String body, String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "Content-Type",
                    "send the body as JSON with Content-Type: application/json");
        }
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("body", "request body is missing; send a JSON object");
        }
        JsonNode root;
        try {
            root = Json.STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("body", "body must be a JSON object");
        }
        return new JsonRequest(root);
    }

    /** Refuses the first field not in {@code allowedFields}. */
    public JsonRequest allowOnly(Set<String> allowedFields) {
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowedFields.contains(name)) {
                throw ApiException.badRequest(name, "unknown field '" + name + "'");
            }
        }
        return this;
    }

    /** An optional boolean (absent or null: false). */
    public boolean flag(String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ApiException.badRequest(field, field + " must be true or false");
        }
        return node.asBoolean();
    }

    public boolean has(String field) {
        JsonNode node = root.get(field);
        return node != null && !node.isNull();
    }

    /** A required string field: present, a JSON string, not blank, at most 512 characters. */
    public String text(String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw ApiException.badRequest(field, field + " is required");
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string");
        }
        String value = node.asText();
        if (value.isBlank()) {
            throw ApiException.badRequest(field, field + " must not be empty");
        }
        if (value.length() > MAX_TEXT) {
            throw ApiException.badRequest(field, field + " is longer than " + MAX_TEXT + " characters");
        }
        return value;
    }

    /** A required identifier: letters, digits, '-' and '_' only, 1 to 64 characters. */
    public String id(String field) {
        String value = text(field).trim();
        if (!Ids.isValid(value)) {
            throw ApiException.badRequest(field, field + " must be 1-64 letters, digits, '-' or '_'");
        }
        return value;
    }

    /** An optional string (absent or null: null). */
    public String optionalText(String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : text(field);
    }

    /** An optional word that must be one of {@code choices} (absent or null: null). */
    public String optionalChoice(String field, List<String> choices) {
        String value = optionalText(field);
        if (value != null && !choices.contains(value.trim())) {
            throw ApiException.badRequest(field, field + " must be one of " + choices);
        }
        return value == null ? null : value.trim();
    }

    /** An optional identifier (absent or null: null). */
    public String optionalId(String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : id(field);
    }

    /** A required absolute http(s) URL without user info or fragment. */
    public String url(String field) {
        String value = text(field).trim();
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && uri.getUserInfo() == null && uri.getFragment() == null) {
                return value;
            }
        } catch (URISyntaxException e) {
            // refused below
        }
        throw ApiException.badRequest(field, field + " must be an absolute http(s) URL without user info");
    }

    /** An optional URL (absent or null: null). */
    public String optionalUrl(String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : url(field);
    }

    /** A whole number from 0 to {@code max}, as a JSON number or a string of digits. */
    public long count(String field, long max) {
        JsonNode node = root.get(field);
        String digits = node == null ? "" : node.isIntegralNumber() ? node.asText() : node.isTextual() ? node.asText().trim() : "";
        if (!digits.matches("[0-9]{1,18}") || Long.parseLong(digits) > max) {
            throw ApiException.badRequest(field, field + " must be a whole number from 0 to " + max);
        }
        return Long.parseLong(digits);
    }

    /** A required whole number given as a JSON number or a string of digits. */
    public long wholeNumber(String field) {
        JsonNode node = root.get(field);
        if (node != null && node.isIntegralNumber() && node.canConvertToLong() && node.asLong() > 0) {
            return node.asLong();
        }
        if (node != null && node.isTextual() && node.asText().trim().matches("[0-9]{1,18}")
                && Long.parseLong(node.asText().trim()) > 0) {
            return Long.parseLong(node.asText().trim());
        }
        if (node == null || node.isNull()) {
            throw ApiException.badRequest(field, field + " is required");
        }
        throw ApiException.badRequest(field, field + " must be a positive whole number");
    }

    /** A field as given (null when absent or null), for a caller that reads its own shape. */
    public JsonNode node(String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : node;
    }

    /** A required array of 1 to {@code max} strings, each one of {@code allowed}, without repeats. */
    public java.util.List<String> oneOf(String field, java.util.Collection<String> allowed, int max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw ApiException.badRequest(field, field + " is required");
        }
        if (!node.isArray() || node.isEmpty() || node.size() > max) {
            throw ApiException.badRequest(field, field + " must be an array of 1 to " + max + " strings");
        }
        java.util.List<String> values = new java.util.ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || !allowed.contains(item.asText())) {
                throw ApiException.badRequest(field, field + " may hold only " + new java.util.TreeSet<>(allowed));
            }
            if (!values.contains(item.asText())) {
                values.add(item.asText());
            }
        }
        return values;
    }
}

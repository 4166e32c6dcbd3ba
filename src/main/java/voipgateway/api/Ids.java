package voipgateway.api;

import java.util.regex.Pattern;

import org.bson.types.ObjectId;

/** Identifier rules shared by every endpoint. */
public final class Ids {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private Ids() {
    }

    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** A path id naming a stored document: a 24-hex ObjectId, else 404 (no such document can exist). */
    public static ObjectId objectId(String value, String field, String what) {
        if (value == null || !ObjectId.isValid(value)) {
            throw ApiException.notFound(field, what + " '" + safe(value) + "' does not exist");
        }
        return new ObjectId(value);
    }

    /** Echoes an id back in a message only if it is harmless. */
    public static String safe(String value) {
        return isValid(value) ? value : "?";
    }
}

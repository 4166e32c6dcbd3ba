package voipgateway.api;

/**
 * A failure the client is told about: an HTTP status, a short error code, the request field at fault (if any)
 * and a message. Messages never carry secrets; they are written for the caller.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String error;
    private final String field;

    public ApiException(int status, String error, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String field() {
        return field;
    }

    /** What the log and a stored reason keep of this failure: the message, unless a subclass knows more. */
    public String diagnosis() {
        return getMessage();
    }

    /** For a 429: when to ask again, in seconds. */
    public int retryAfterSeconds() {
        return 1;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, "bad_request", field, message);
    }

    public static ApiException notFound(String field, String message) {
        return new ApiException(404, "not_found", field, message);
    }

    public static ApiException conflict(String field, String message) {
        return new ApiException(409, "conflict", field, message);
    }
}

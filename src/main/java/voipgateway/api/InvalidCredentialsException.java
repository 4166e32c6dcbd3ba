package voipgateway.api;

/** The provider refused the credentials given when an account was added: the client's input is wrong. */
public class InvalidCredentialsException extends ApiException {

    public InvalidCredentialsException(String message) {
        super(400, "invalid_credentials", "credentials", message);
    }
}

package voipgateway.api;

/** The provider refused the credentials given when an account was added: the client's input is wrong. */
public class InvalidCredentialsException extends ProviderRefusedException {

    public InvalidCredentialsException(ProviderRefusedException refused) {
        super(400, "invalid_credentials", "credentials", refused);
    }
}

package voipgateway.api;

/** The provider answered, but said no (status other than success, or an HTTP error it sent on purpose). */
public class ProviderRefusedException extends ApiException {

    public ProviderRefusedException(String message) {
        super(502, "provider_refused", null, message);
    }
}

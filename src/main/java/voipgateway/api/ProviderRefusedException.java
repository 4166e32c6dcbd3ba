package voipgateway.api;

/**
 * The provider answered, but said no (status other than success, or an HTTP error it sent on purpose). The client
 * is told what was refused, the provider's HTTP status and a short code; the provider's own words (masked by
 * whoever read them) are kept for diagnosis only: the log, the call's stored reason.
 */
public class ProviderRefusedException extends ApiException {

    private final String diagnosis;

    /** A refusal in this service's own words (nothing the provider said). */
    public ProviderRefusedException(String message) {
        super(502, "provider_refused", null, message);
        this.diagnosis = message;
    }

    /** {@code providerText}: what the provider said, masked already; null when it said nothing worth keeping. */
    public ProviderRefusedException(String provider, String what, int httpStatus, String providerText) {
        super(502, code(httpStatus), null, provider + ": " + what + (httpStatus > 0 ? " (provider answered HTTP "
                + httpStatus + ")" : ""));
        this.diagnosis = providerText == null || providerText.isBlank() ? getMessage() : getMessage() + ": "
                + providerText;
    }

    protected ProviderRefusedException(int status, String error, String field, ProviderRefusedException refused) {
        super(status, error, field, refused.getMessage());
        this.diagnosis = refused.diagnosis();
    }

    @Override
    public String diagnosis() {
        return diagnosis;
    }

    private static String code(int httpStatus) {
        if (httpStatus == 401 || httpStatus == 403) {
            return "provider_auth_failed";
        }
        return httpStatus == 429 ? "provider_rate_limited" : "provider_refused";
    }
}

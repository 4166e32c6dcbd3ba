package voipgateway.pacing;

import voipgateway.api.ApiException;

/** The call's provider account is at its limit now (calls a second, or calls live at once): try again shortly. */
public class PacingLimitException extends ApiException {

    public PacingLimitException(String message) {
        super(429, "provider_account_busy", null, message);
    }
}

package voipgateway.providers;

import voipgateway.api.ApiException;

/** DIDs (caller numbers) as SansPBX accounts hand them out, e.g. {@code 0124-6000001}. */
public final class Dids {

    private Dids() {
    }

    /** Accepts digits with the usual separators and at least 7 digits; answers it trimmed. */
    public static String require(String value, String field) {
        String did = value.trim();
        if (!did.matches("\\+?[0-9][0-9 ()-]{5,23}") || digits(did).length() < 7) {
            throw ApiException.badRequest(field, field + " must be a phone number of at least 7 digits"
                    + " (digits, spaces, '-', '(', ')' and a leading '+')");
        }
        return did;
    }

    /** The caller id SansPBX expects: the DID's last 7 digits ({@code 0124-6000001 -> 6000001}). */
    public static String callerId(String did) {
        String digits = digits(did);
        return digits.substring(digits.length() - 7);
    }

    public static String digits(String number) {
        return number.replaceAll("[^0-9]", "");
    }
}

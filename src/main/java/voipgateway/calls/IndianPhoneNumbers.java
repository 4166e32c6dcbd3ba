package voipgateway.calls;

import java.util.regex.Pattern;

import voipgateway.api.ApiException;

/**
 * SansPBX dials Indian numbers as {@code 0} + the 10-digit national number:
 * {@code +91 90000 00001}, {@code 919000000001}, {@code 09000000001} and {@code 9000000001} all become
 * {@code 09000000001}.
 */
public final class IndianPhoneNumbers {

    private static final Pattern WRITTEN = Pattern.compile("\\+?[0-9][0-9 ().-]{5,24}");

    private IndianPhoneNumbers() {
    }

    public static String callTo(String number, String field) {
        if (!WRITTEN.matcher(number).matches()) {
            throw invalid(field);
        }
        String digits = number.replaceAll("[^0-9]", "");
        String national;
        if (digits.length() == 10) {
            national = digits;
        } else if (digits.length() == 11 && digits.startsWith("0")) {
            national = digits.substring(1);
        } else if (digits.length() == 12 && digits.startsWith("91")) {
            national = digits.substring(2);
        } else if (digits.length() == 14 && digits.startsWith("0091")) {
            national = digits.substring(4);
        } else {
            throw invalid(field);
        }
        if (national.startsWith("0")) {
            throw invalid(field);
        }
        return "0" + national;
    }

    private static ApiException invalid(String field) {
        return ApiException.badRequest(field, field + " must be an Indian phone number: 10 digits, optionally"
                + " with a leading 0, 91 or +91 (e.g. +91 90000 00001)");
    }
}

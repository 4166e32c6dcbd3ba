package voipgateway.compliance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import voipgateway.calls.OutboundCallRequest;
import voipgateway.config.Settings;

/**
 * India's number series by what a call is for (TRAI's TCCCPR as amended in February 2025; DoT's 160 series of
 * 2024): promotional calls leave from a 140-series number, service and transactional calls from a 1600-series one.
 * The series are data, settings {@code voip.number-series.<purpose>} (prefixes of the national number, comma
 * separated; empty: any number), applied to a tenant that asks for them ({@code PUT /calling-rules
 * {"numberSeries": true}}).
 */
public record NumberSeries(Map<String, List<String>> prefixes) {

    public static NumberSeries of(Settings settings) {
        Map<String, List<String>> prefixes = new LinkedHashMap<>();
        for (String purpose : OutboundCallRequest.PURPOSES) {
            String key = "voip.number-series." + purpose;
            List<String> listed = settings.list(key, "");
            Settings.require(listed.stream().allMatch(p -> p.matches("[0-9]{1,10}")), key,
                    "must be prefixes of a national number (digits), comma separated");
            prefixes.put(purpose, listed);
        }
        return new NumberSeries(prefixes);
    }

    /** Whether a call for this purpose may leave from this DID. */
    public boolean allows(String purpose, String did) {
        List<String> allowed = prefixes.getOrDefault(purpose, List.of());
        String national = national(did);
        return allowed.isEmpty() || allowed.stream().anyMatch(national::startsWith);
    }

    public List<String> of(String purpose) {
        return prefixes.getOrDefault(purpose, List.of());
    }

    /** The DID's national number: its digits, without India's country code or a trunk prefix (0). */
    static String national(String did) {
        String digits = did == null ? "" : did.replaceAll("[^0-9]", "");
        if (digits.length() == 12 && digits.startsWith("91")) {
            digits = digits.substring(2);
        }
        return digits.replaceFirst("^0+", "");
    }
}

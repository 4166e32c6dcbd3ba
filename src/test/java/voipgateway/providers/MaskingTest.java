package voipgateway.providers;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one masking function: every form of a credential blanked out, then the text cut. */
class MaskingTest {

    private static final String PASSWORD = "Pa$s word/\"x\"+1";

    private static final Map<String, String> FIELDS = new LinkedHashMap<>(Map.of("username", "demo-user",
            "password", PASSWORD, "appId", "6"));

    @Test
    void everyFormOfASecretIsBlankedOut() {
        Set<String> forms = Masking.forms(FIELDS, List.of("password"));
        for (String form : List.of(PASSWORD, URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8),
                URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8).replace("+", "%20"), "Pa$s word\\/\\\"x\\\"+1",
                "Pa$s word/\\\"x\\\"+1", base64(PASSWORD), base64("demo-user:" + PASSWORD))) {
            String masked = Masking.mask("the PBX said: " + form + " is wrong", forms);
            assertEquals("the PBX said: *** is wrong", masked, form);
        }
    }

    @Test
    void whatTheTextCallsACredentialIsBlankedOutToo() {
        String masked = Masking.mask("Authorization: Basic ZGVtbzpzZWNyZXQ=; Apitoken=eyJhbGciOi.payload-part;"
                + " {\"access_key\":\"AK-123\",\"api_key\": \"k-9\"} Bearer abc.def");
        assertFalse(masked.contains("ZGVtbzpzZWNyZXQ"), masked);
        assertFalse(masked.contains("payload-part"), masked);
        assertFalse(masked.contains("AK-123"), masked);
        assertFalse(masked.contains("k-9"), masked);
        assertFalse(masked.contains("abc.def"), masked);
    }

    /** Cut after masking: a secret that crosses the cut leaves no prefix of itself. */
    @Test
    void theTextIsCutOnlyOnceMasked() {
        String text = "x".repeat(Masking.KEPT - 5) + PASSWORD + " and more";
        String masked = Masking.mask(text, Masking.forms(FIELDS, List.of("password")));
        assertFalse(masked.contains("Pa$s"), masked);
        assertTrue(masked.endsWith("..."), masked);
        assertTrue(masked.length() <= Masking.KEPT + 3);
    }

    @Test
    void shortValuesAndNonSecretsAreLeftAlone() {
        Set<String> forms = Masking.forms(FIELDS, List.of("password", "appId"));
        assertEquals("app 6 of demo-user", Masking.mask("app 6 of demo-user", forms));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}

package voipgateway.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.crypto.CredentialCipher;

/**
 * Twilio's request signature: base64 HMAC-SHA1, keyed with the account's auth token, of the URL Twilio called
 * followed by every POST parameter name and value in name order. Checked when the account has an auth token.
 */
public class TwilioSignatures {

    private final CredentialCipher cipher;
    private final String publicBaseUrl;

    public TwilioSignatures(CredentialCipher cipher, String publicBaseUrl) {
        this.cipher = cipher;
        this.publicBaseUrl = publicBaseUrl;
    }

    public void verify(@ExchangeProperty("provider") Document provider, @ExchangeProperty("form") Map<String, Object> form,
            @Header(Exchange.HTTP_QUERY) String query, @Header("X-Twilio-Signature") String signature) {
        Document credentials = provider == null ? null : provider.get("credentials", Document.class);
        if (credentials == null || credentials.getString("authToken") == null) {
            return;
        }
        String url = publicBaseUrl + "/callbacks/twilio/status" + (query == null || query.isEmpty() ? "" : "?" + query);
        String expected = sign(cipher.decrypt(credentials.getString("authToken")), url, form);
        if (signature == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiException(403, "forbidden", "X-Twilio-Signature", "Twilio signature is missing or invalid");
        }
    }

    public static String sign(String authToken, String url, Map<String, Object> params) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }
}

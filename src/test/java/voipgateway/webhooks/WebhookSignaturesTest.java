package voipgateway.webhooks;

import java.util.List;
import java.util.Map;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our signatures are Standard Webhooks' own: its Java library makes the same and verifies ours. */
class WebhookSignaturesTest {

    @Test
    void signsAsTheReferenceLibraryDoes() throws Exception {
        String secret = WebhookSignatures.newSecret();
        assertTrue(secret.matches("whsec_[A-Za-z0-9+/]{43}="), secret);
        long now = System.currentTimeMillis() / 1000;
        String body = "{\"type\":\"call.completed\",\"data\":{\"callId\":\"x\"}}";

        String ours = WebhookSignatures.sign(List.of(new voipgateway.webhooks.Webhook.Key(
                WebhookSignatures.key(secret), null)), "evt_1", now, body);

        assertEquals(new Webhook(secret).sign("evt_1", now, body), ours);
        new Webhook(secret).verify(body, headers("evt_1", now, ours));
    }

    @Test
    void twoKeysSignSoEitherSecretVerifiesAndAnyOtherFails() throws Exception {
        String oldSecret = WebhookSignatures.newSecret();
        String newSecret = WebhookSignatures.newSecret();
        long now = System.currentTimeMillis() / 1000;
        String signature = WebhookSignatures.sign(List.of(
                new voipgateway.webhooks.Webhook.Key(WebhookSignatures.key(newSecret), null),
                new voipgateway.webhooks.Webhook.Key(WebhookSignatures.key(oldSecret), null)), "evt_2", now, "{}");

        new Webhook(oldSecret).verify("{}", headers("evt_2", now, signature));
        new Webhook(newSecret).verify("{}", headers("evt_2", now, signature));
        assertThrows(WebhookVerificationException.class, () -> new Webhook(WebhookSignatures.newSecret())
                .verify("{}", headers("evt_2", now, signature)));
        assertThrows(WebhookVerificationException.class, () -> new Webhook(oldSecret)
                .verify("{ }", headers("evt_2", now, signature)));
    }

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(Long.toString(timestamp)),
                "webhook-signature", List.of(signature));
    }
}

package voipgateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each API key gets voip.rate-limit-requests per period, at most that many at once; beyond that, 429 with Retry-After.
 */
class RateLimitTest extends GatewayTestSupport {

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.rate-limit-requests", "5", "voip.rate-limit-period-ms", "60000");
    }

    @Test
    void theSixthRequestInAMinuteIs429WithRetryAfter() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, send("GET", "/voip/numbers", null).status());
        }

        HttpResponse<String> limited = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/voip/numbers"))
                .header("Authorization", "Bearer " + API_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(429, limited.statusCode(), limited.body());
        // the next one is let through a fifth of the minute after the first: less the time the first five took
        int retryAfter = Integer.parseInt(limited.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter >= 10 && retryAfter <= 12, "Retry-After " + retryAfter);
        assertEquals("rate_limited", JSON.readTree(limited.body()).get("error").asText());
        assertEquals(401, sendAs("another-key", "GET", "/voip/numbers", null, null).status(),
                "the limit is per key: an unknown key is still just unknown");
    }
}

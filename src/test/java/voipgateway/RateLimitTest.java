package voipgateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only real clients on the wire show: wrong keys counted per client address (the per-key limit:
 * flows.AuthenticationFlowTest).
 */
class RateLimitTest extends GatewayTestSupport {

    private static final String ADMIN_KEY = "test-admin-key-of-rate-limits";

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.rate-limit-requests", "5", "voip.rate-limit-period-ms", "60000",
                "voip.auth.failures-per-minute", "5", "voip.admin-key", ADMIN_KEY);
    }

    /**
     * Wrong keys are counted per client address (here two loopback addresses of their own): after five in a
     * minute, that address gets 429 with Retry-After, its right key included, admin keys too; another address's
     * right key goes through, its wrong key is still a 401.
     */
    @Test
    void wrongKeysFromOneAddressSlowThatAddressOnly() throws Exception {
        // a key of its own, the one right key that address sends
        String key = sendAs(ADMIN_KEY, "POST", "/admin/tenants", "application/json", "{\"tenantId\":\"guessed\"}")
                .json().get("apiKey").asText();
        for (int i = 0; i < 3; i++) {
            assertEquals(401, raw("127.0.0.3", "/voip/numbers", "guess-" + i).status());
        }
        assertEquals(401, raw("127.0.0.3", "POST /admin/tenants", "admin-guess-1").status());
        assertEquals(401, raw("127.0.0.3", "/voip/numbers", "guess-3").status());

        Raw blocked = raw("127.0.0.3", "/voip/numbers", "guess-4");
        assertEquals(429, blocked.status(), blocked.text());
        assertTrue(blocked.text().contains("too_many_failed_keys"), blocked.text());
        int retryAfter = Integer.parseInt(blocked.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(429, raw("127.0.0.3", "/voip/numbers", key).status(), "that address is refused");
        assertEquals(429, raw("127.0.0.3", "POST /admin/tenants", ADMIN_KEY).status());

        assertEquals(200, raw("127.0.0.2", "/voip/numbers", key).status(), "another address is not slowed");
        assertEquals(401, raw("127.0.0.2", "/voip/numbers", "guess-5").status());
    }

    private record Raw(int status, String text) {
        String header(String name) {
            return text.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse("");
        }
    }

    /** A request ({@code path}: a GET, or "METHOD path") sent from this local (loopback) address, with this key. */
    private Raw raw(String from, String path, String key) throws Exception {
        String line = path.contains(" ") ? path : "GET " + path;
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getByName("127.0.0.1"), port,
                java.net.InetAddress.getByName(from), 0)) {
            socket.getOutputStream().write((line + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String text = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new Raw(Integer.parseInt(text.substring(9, 12)), text);
        }
    }
}

package voipgateway.flows;

import java.time.Duration;
import java.util.List;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import voipgateway.tenants.ApiKeys;
import voipgateway.tenants.RateLimits;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every API route starts with {@code direct:authenticate} ({@code error-handling.yaml}): the key names the tenant,
 * else 401; each key may make voip.rate-limit-requests per period (here 5 a minute, the clock held still), beyond
 * that 429 with Retry-After. Shown through GET /calls ({@code read-api.yaml}).
 */
class AuthenticationFlowTest extends FlowTestSupport {

    @Override
    List<String> routeFiles() {
        return List.of("read-api.yaml");
    }

    @Override
    RateLimits rateLimits() {
        return new RateLimits(5, Duration.ofMinutes(1), 100, () -> 1, () -> 0L);
    }

    @Test
    void theSixthRequestOfAKeyInAMinuteIs429WithRetryAfterAndAnotherKeyHasItsOwnAllowance() throws Exception {
        context.start();
        String otherKey = ApiKeys.newKey();
        ApiKeys.bootstrap(db, otherKey);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, status(list(API_KEY)));
        }

        Exchange limited = list(API_KEY);

        assertEquals(429, status(limited), body(limited));
        assertEquals("rate_limited", json(limited).get("error").asText());
        // the next one is let through a fifth of the minute after the first
        assertEquals(12, limited.getMessage().getHeader("Retry-After", Integer.class));
        assertEquals(200, status(list(otherKey)), "the limit is per key");
    }

    @Test
    void aMissingOrUnknownKeyIs401() throws Exception {
        context.start();
        for (String key : new String[] {null, "an-unknown-key"}) {
            Exchange refused = list(key);
            assertEquals(401, status(refused), body(refused));
            assertEquals("unauthorized", json(refused).get("error").asText(), body(refused));
        }
    }

    private Exchange list(String key) {
        return request("direct:list-calls", exchange -> {
            if (key != null) {
                exchange.getMessage().setHeader("Authorization", "Bearer " + key);
            }
        });
    }
}

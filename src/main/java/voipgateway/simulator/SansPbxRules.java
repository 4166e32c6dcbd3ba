package voipgateway.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What SansPBX checks, as both simulators (the demo one and the standalone one) play it: gentoken's credentials,
 * the Apitokens it issued and their lifetime, and a dialcall body.
 */
final class SansPbxRules {

    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    SansPbxRules(Clock clock) {
        this.clock = clock;
    }

    /** gentoken's three credentials: the Accesstoken header, Basic auth, and {@code access_key} in the body. */
    static boolean credentialsValid(String accessToken, String basicAuth, String accessKey, Object accessTokenHeader,
            Object authorizationHeader, JsonNode body) {
        return accessToken.equals(accessTokenHeader) && basicAuth.equals(authorizationHeader) && body != null
                && accessKey.equals(body.path("access_key").asText());
    }

    /** A new Apitoken valid for {@code lifetime}: gentoken's success answer. */
    Map<String, Object> issueToken(Duration lifetime, ZoneId zone) {
        String token = "sim-" + UUID.randomUUID();
        Instant expiry = clock.instant().plus(lifetime);
        tokens.put(token, expiry);
        return Map.of("status", "success", "Apitoken", token,
                "expiry_time", SimulatedCallbacks.SANSPBX_TIME.format(expiry.atZone(zone)));
    }

    /** Whether the Apitoken header names a token issued here and not expired. */
    boolean tokenValid(Object apiToken) {
        Instant expiry = tokens.get(String.valueOf(apiToken));
        return expiry != null && clock.instant().isBefore(expiry);
    }

    /** dialcall's body: {@code appid} a number, {@code call_to} 0 and ten digits, {@code caller_id} text. */
    static boolean dialValid(JsonNode body) {
        return body != null && body.path("appid").isNumber() && body.path("call_to").asText().matches("0[0-9]{10}")
                && body.path("caller_id").isTextual();
    }
}

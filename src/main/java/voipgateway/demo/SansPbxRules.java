package voipgateway.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What SansPBX checks and sends, as both stand-ins play it (demo mode's, in the service, and the fault-injecting
 * simulator, a jar of its own): gentoken's credentials, the Apitokens it issued and their lifetime, a dialcall body,
 * and the post-call report.
 */
public final class SansPbxRules {

    /** How SansPBX writes a time (in the PBX account's zone). */
    public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    public SansPbxRules(Clock clock) {
        this.clock = clock;
    }

    /** gentoken's three credentials: the Accesstoken header, Basic auth, and {@code access_key} in the body. */
    public static boolean credentialsValid(String accessToken, String basicAuth, String accessKey,
            Object accessTokenHeader, Object authorizationHeader, JsonNode body) {
        return accessToken.equals(accessTokenHeader) && basicAuth.equals(authorizationHeader) && body != null
                && accessKey.equals(body.path("access_key").asText());
    }

    /** A new Apitoken valid for {@code lifetime}: gentoken's success answer. */
    public Map<String, Object> issueToken(Duration lifetime, ZoneId zone) {
        String token = "sim-" + UUID.randomUUID();
        Instant expiry = clock.instant().plus(lifetime);
        tokens.put(token, expiry);
        return Map.of("status", "success", "Apitoken", token,
                "expiry_time", TIME.format(expiry.atZone(zone)));
    }

    /** Whether the Apitoken header names a token issued here and not expired. */
    public boolean tokenValid(Object apiToken) {
        Instant expiry = tokens.get(String.valueOf(apiToken));
        return expiry != null && clock.instant().isBefore(expiry);
    }

    /** dialcall's body: {@code appid} a number, {@code call_to} 0 and ten digits, {@code caller_id} text. */
    public static boolean dialValid(JsonNode body) {
        return body != null && body.path("appid").isNumber() && body.path("call_to").asText().matches("0[0-9]{10}")
                && body.path("caller_id").isTextual();
    }

    /** SansPBX's post-call report of an answered call that lasted {@code seconds} (the integration guide's fields). */
    public static Map<String, Object> report(String callId, JsonNode dial, Instant start, long seconds, ZoneId zone) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("Linkedid", callId);
        report.put("disposition", "ANSWER");
        report.put("did", dial.path("caller_id").asText());
        report.put("call_to", dial.path("call_to").asText());
        report.put("duration", Long.toString(seconds));
        report.put("billsec", Long.toString(Math.max(1, seconds - 1)));
        report.put("start_time", TIME.format(start.atZone(zone)));
        report.put("end_time", TIME.format(start.plusSeconds(seconds).atZone(zone)));
        report.put("cause", "16");
        report.put("cause_txt", "Normal Clearing");
        report.put("custom_field", Map.of("record_id", dial.path("custom_field").path("record_id").asText()));
        return report;
    }
}

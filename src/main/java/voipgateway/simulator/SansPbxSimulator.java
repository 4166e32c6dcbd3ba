package voipgateway.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * A SansPBX stand-in for demo mode, so the quickstart places a call on a machine with nothing else: gentoken and
 * dialcall with the real answers' shapes, tokens that expire, and a list of the requests it received
 * (secrets shown masked).
 */
public class SansPbxSimulator {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final int KEPT_REQUESTS = 200;

    private final String accessToken;
    private final String accessKey;
    private final String basicAuth;
    private final Duration tokenLifetime;
    private final ZoneId zone;
    private final Clock clock;
    private final Map<String, Instant> issuedTokens = new ConcurrentHashMap<>();
    private final AtomicLong callIds = new AtomicLong(100000);
    private final List<Map<String, Object>> received = new ArrayList<>();

    public SansPbxSimulator(String accessToken, String accessKey, String basicAuth, Duration tokenLifetime,
            ZoneId zone, Clock clock) {
        this.accessToken = accessToken;
        this.accessKey = accessKey;
        this.basicAuth = basicAuth;
        this.tokenLifetime = tokenLifetime;
        this.zone = zone;
        this.clock = clock;
    }

    public Map<String, Object> gentoken(Exchange exchange) {
        Message in = exchange.getMessage();
        JsonNode body = record(exchange, "gentoken", "Accesstoken", "Authorization");
        if (!accessToken.equals(in.getHeader("Accesstoken", String.class))
                || !basicAuth.equals(in.getHeader("Authorization", String.class))
                || body == null || !accessKey.equals(body.path("access_key").asText())) {
            return answer(exchange, 401, Map.of("status", "error", "message", "Invalid credentials"));
        }
        String token = "sim-" + UUID.randomUUID();
        Instant expiry = clock.instant().plus(tokenLifetime);
        issuedTokens.put(token, expiry);
        return answer(exchange, 200, Map.of("status", "success", "Apitoken", token,
                "expiry_time", EXPIRY.format(expiry.atZone(zone))));
    }

    public Map<String, Object> dialcall(Exchange exchange) {
        JsonNode body = record(exchange, "dialcall", "Apitoken");
        Instant expiry = issuedTokens.get(String.valueOf(exchange.getMessage().getHeader("Apitoken")));
        if (expiry == null || !clock.instant().isBefore(expiry)) {
            return answer(exchange, 401, Map.of("status", "error", "message", "Token expired or invalid"));
        }
        if (body == null || !body.path("appid").isNumber() || !body.path("call_to").asText().matches("0[0-9]{10}")
                || !body.path("caller_id").isTextual()) {
            return answer(exchange, 200, Map.of("status", "error", "message", "Invalid parameters"));
        }
        return answer(exchange, 200, Map.of("status", "success", "call_id", Long.toString(callIds.incrementAndGet())));
    }

    public synchronized List<Map<String, Object>> requests() {
        return new ArrayList<>(received);
    }

    private JsonNode record(Exchange exchange, String api, String... secretHeaders) {
        String text = exchange.getMessage().getBody(String.class);
        JsonNode body;
        try {
            body = text == null ? null : MAPPER.readTree(text);
        } catch (Exception e) {
            body = null;
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        for (String name : secretHeaders) {
            Object value = exchange.getMessage().getHeader(name);
            headers.put(name, value == null ? null : "***");
        }
        headers.put("Content-Type", exchange.getMessage().getHeader(Exchange.CONTENT_TYPE));
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("receivedAt", clock.instant().toString());
        request.put("api", api);
        request.put("headers", headers);
        request.put("body", body != null && body.has("access_key") ? Map.of("access_key", "***") : body);
        synchronized (this) {
            received.add(request);
            if (received.size() > KEPT_REQUESTS) {
                received.remove(0);
            }
        }
        return body;
    }

    private static Map<String, Object> answer(Exchange exchange, int status, Map<String, Object> body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return body;
    }
}

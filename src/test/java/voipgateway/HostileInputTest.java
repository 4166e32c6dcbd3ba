package voipgateway;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 malformed or hostile requests across every endpoint (wrong types, missing and unknown fields, broken
 * JSON, wrong content types, odd ids, huge and strange strings): never a 5xx, every refusal a JSON body that
 * says what is wrong, nothing stored, and the service still serves a valid request afterwards.
 */
class HostileInputTest extends GatewayTestSupport {

    private static final int REQUESTS = 10_000;
    private static final String[] COLLECTIONS = {"voipproviders", "voipnumbers", "agents", "calls", "orphancallbacks"};

    @Test
    void noHostileRequestCausesA5xxOrStoresAnything() throws Exception {
        String numberId = lineThatDials("jwt-1", "1");
        Map<String, Long> before = counts();
        // a fixed seed keeps CI repeatable; -Dhostile.seed=<n> explores others
        long seed = Long.getLong("hostile.seed", 20261125L);
        Random random = new Random(seed);
        List<String> failures = new ArrayList<>();

        for (int i = 0; i < REQUESTS && failures.size() < 10; i++) {
            String[] request = hostileRequest(random, numberId);
            String problem;
            try {
                problem = judge(sendRaw(request[0], request[1], request[2], request[3]));
            } catch (java.io.IOException unreadable) {
                problem = "an answer the client cannot read: " + unreadable.getMessage();
            }
            if (problem != null) {
                failures.add(problem + " <- " + String.join(" | ", request));
            }
        }

        assertTrue(failures.isEmpty(), "seed " + seed + ":\n" + String.join("\n", failures));
        assertEquals(before, counts(), "no hostile request stored anything (seed " + seed + ")");
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(201, call("09000000001").status(), "a valid request is still served");
    }

    private static String judge(Response response) {
        if (response.status() >= 500) {
            return "HTTP " + response.status() + " " + response.body();
        }
        if (response.status() < 400) {
            return "accepted: HTTP " + response.status() + " " + response.body();
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            if (body.path("error").asText().isBlank() || body.path("message").asText().isBlank()) {
                return "no error/message: " + response.body();
            }
        } catch (Exception e) {
            return "HTTP " + response.status() + " without a JSON body: " + response.body();
        }
        return null;
    }

    private Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String name : COLLECTIONS) {
            counts.put(name, db().getCollection(name).countDocuments());
        }
        return counts;
    }

    /** {method, path, content type, body}: always wrong in at least one way. */
    private String[] hostileRequest(Random random, String numberId) throws Exception {
        switch (random.nextInt(8)) {
            case 0: {
                Map<String, Object> body = new LinkedHashMap<>(providerBody());
                spoil(random, body);
                return post(random, "/voip/add-provider", body);
            }
            case 1: {
                Map<String, Object> body = new LinkedHashMap<>(Map.of("agentId", AGENT));
                spoil(random, body);
                String id = random.nextBoolean() ? oddId(random) : numberId;
                return new String[] {"PUT", "/voip/assign-number/" + id, contentType(random, true), write(random, body)};
            }
            case 2:
                return new String[] {"DELETE", "/voip/assign-number/" + oddId(random), null, null};
            case 3: {
                Map<String, Object> body = new LinkedHashMap<>(Map.of("agentId", AGENT, "leadId", LEAD,
                        "toPhone", "09000000001"));
                spoil(random, body);
                return post(random, "/calls/outbound", body);
            }
            case 4:
                return new String[] {"GET", "/calls/" + oddId(random), null, null};
            case 5: {
                String[] params = {"agentId", "status", "from", "to", "page", "limit"};
                String param = params[random.nextInt(params.length)];
                String[] values = {"$ne", "a b", "x".repeat(100), "<script>", "..", "\u0000", "-1", "0",
                        "99999999999", "2026-13-45", "yesterday", "lost", "\u202e\ud83d\ude00"};
                String value = random.nextBoolean() ? values[random.nextInt(values.length)] : "~" + randomText(random, 30);
                if (param.equals("agentId") && value.matches("[A-Za-z0-9_-]{1,64}")) {
                    value = "$" + value;
                }
                return new String[] {"GET", "/calls?" + param + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8),
                        null, null};
            }
            case 6: {
                Map<String, Object> body = new LinkedHashMap<>(Map.of("Linkedid", "1", "disposition", "ANSWER",
                        "custom_field", Map.of("record_id", "6b0000000000000000000000")));
                spoil(random, body);
                String query = random.nextBoolean() ? "" : "?call=" + oddId(random) + "&token=" + oddId(random);
                return new String[] {"POST", "/callbacks/sanspbx/status" + query, contentType(random, true),
                        write(random, body)};
            }
            default: {
                String query = random.nextBoolean() ? "" : "?call=" + oddId(random) + "&token=x";
                String form = random.nextBoolean() ? "CallSid=" + URLEncoder.encode(String.valueOf(oddValue(random)),
                        StandardCharsets.UTF_8) + "&CallStatus=" + URLEncoder.encode(String.valueOf(oddValue(random)),
                        StandardCharsets.UTF_8) : randomText(random, 40);
                return new String[] {"POST", "/callbacks/twilio/status" + query,
                        random.nextBoolean() ? "application/x-www-form-urlencoded" : contentType(random, false), form};
            }
        }
    }

    private String[] post(Random random, String path, Map<String, Object> body) throws Exception {
        return new String[] {"POST", path, contentType(random, true), write(random, body)};
    }

    /** Breaks the body: a value no field accepts, a missing field or an unknown one. */
    private static void spoil(Random random, Map<String, Object> body) {
        List<String> fields = new ArrayList<>(body.keySet());
        String field = fields.get(random.nextInt(fields.size()));
        switch (random.nextInt(3)) {
            case 0 -> body.put(field, invalidValue(random));
            case 1 -> body.remove(field);
            default -> body.put(randomText(random, 12), oddValue(random));
        }
    }

    private static String write(Random random, Map<String, Object> body) throws Exception {
        String json = JSON.writeValueAsString(body);
        return switch (random.nextInt(10)) {
            case 0 -> json.substring(0, random.nextInt(json.length()));
            case 1 -> "[" + json + "]";
            case 2 -> randomText(random, 200);
            case 3 -> "";
            default -> json;
        };
    }

    private static String contentType(Random random, boolean mostlyJson) {
        if (mostlyJson && random.nextInt(5) > 0) {
            return "application/json";
        }
        String[] types = {"text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data",
                "application/json; charset=utf-8", "application/jsonx", "*/*"};
        return types[random.nextInt(types.length)];
    }

    private static Object invalidValue(Random random) {
        Object[] values = {null, -1, 3.5, List.of(1, "two"), Map.of("$ne", ""), true, "", " ", "x".repeat(5000)};
        return values[random.nextInt(values.length)];
    }

    private static Object oddValue(Random random) {
        return switch (random.nextInt(14)) {
            case 0 -> null;
            case 1 -> random.nextLong();
            case 2 -> random.nextDouble();
            case 3 -> List.of(1, "two", List.of());
            case 4 -> Map.of("$ne", "");
            case 5 -> "";
            case 6 -> "x".repeat(5000);
            case 7 -> "'; DROP TABLE calls; --";
            case 8 -> "\u0000\u202e\ud83d\ude00<script>";
            case 9 -> "../../etc/passwd";
            case 10 -> "-1";
            case 11 -> true;
            case 12 -> "${jndi:ldap://127.0.0.1/a}";
            default -> randomText(random, 30);
        };
    }

    private static String oddId(Random random) {
        String[] ids = {"0", "zzzzzzzzzzzzzzzzzzzzzzzz", "6b0000000000000000000000", "%24ne", "..%2F..",
                "a".repeat(300), "%00", "null", "-1", "%7B%7D"};
        return random.nextInt(3) == 0 ? URLEncoder.encode("~" + randomText(random, 20), StandardCharsets.UTF_8)
                : ids[random.nextInt(ids.length)];
    }

    private static String randomText(Random random, int max) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(max + 1);
        for (int i = 0; i < length; i++) {
            text.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x3000)));
        }
        return text.toString();
    }

    @Test
    void anOversizeBodyIs413AndAnUnknownPathIsAJson404() throws Exception {
        Response huge = sendRaw("POST", "/calls/outbound", "application/json",
                "{\"agentId\": \"" + "x".repeat(300_000) + "\"}");
        assertEquals(413, huge.status(), huge.body());
        assertEquals("payload_too_large", JSON.readTree(huge.body()).get("error").asText());

        Response nowhere = send("GET", "/no/such/thing", null);
        assertEquals(404, nowhere.status());
        assertEquals("not_found", JSON.readTree(nowhere.body()).get("error").asText());
    }

    @Test
    void aTooLongRequestLineIsAJson414AndTooLargeHeadersAJson431() throws Exception {
        Response longUri = send(HttpRequest.newBuilder(uri("/calls?agentId=" + "a".repeat(10_000))).GET());
        assertEquals(414, longUri.status(), longUri.body());
        assertEquals("uri_too_long", longUri.json().get("error").asText());

        Response bigHeaders = send(HttpRequest.newBuilder(uri("/calls")).header("X-Filler", "x".repeat(20_000)).GET());
        assertEquals(431, bigHeaders.status(), bigHeaders.body());
        assertEquals("headers_too_large", bigHeaders.json().get("error").asText());

        assertEquals(200, send("GET", "/calls", null).status(), "the service still answers");
    }

    @Test
    void aBodyWithTrailingContentOrADuplicateKeyIsRefusedAndNeverDialled() throws Exception {
        lineThatDials("jwt-1", "1");
        String valid = JSON.writeValueAsString(Map.of("agentId", AGENT, "leadId", LEAD, "toPhone", "09000000001"));

        for (String body : new String[] {valid + " {\"toPhone\": \"09000000002\"}", valid + " trailing",
                "{\"agentId\": \"" + AGENT + "\", \"leadId\": \"" + LEAD + "\", \"toPhone\": \"09000000001\","
                        + " \"toPhone\": \"09000000002\"}"}) {
            Response refused = sendRaw("POST", "/calls/outbound", "application/json", body);
            assertEquals(400, refused.status(), body + " -> " + refused.body());
            assertEquals("body", refused.json().get("field").asText(), refused.body());
        }

        assertEquals(0, db().getCollection("calls").countDocuments());
        pbx.verify(0, postRequestedFor(urlPathEqualTo(DIALCALL)));
    }
}

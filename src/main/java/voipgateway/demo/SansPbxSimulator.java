package voipgateway.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.function.Suppliers;
import voipgateway.api.Json;

/**
 * A SansPBX stand-in for demo mode, so the quickstart places a call on a machine with nothing else: gentoken and
 * dialcall with the real answers' shapes, tokens that expire, and a list of the requests it received
 * (secrets shown masked). After a dial it posts the post-call status callback, as the PBX does.
 */
public class SansPbxSimulator {

    private static final int KEPT_REQUESTS = 200;

    private final String accessToken;
    private final String accessKey;
    private final String basicAuth;
    private final Duration tokenLifetime;
    private final ZoneId zone;
    private final Clock clock;
    private final SansPbxRules rules;
    private final AtomicLong callIds = new AtomicLong(100000);
    private final List<Map<String, Object>> received = new ArrayList<>();

    private final Duration callbackDelay;
    private final ScheduledExecutorService callbacks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sanspbx-simulator-callbacks");
        thread.setDaemon(true);
        return thread;
    });
    /** Made at the first report, not with the service: a new client loads the JDK's trust store. */
    private final Supplier<HttpClient> http = Suppliers.memorize(HttpClient::newHttpClient);
    /** Calls whose end is not reported yet: calldisconnect reports it at once. */
    private final Map<String, LiveCall> live = new ConcurrentHashMap<>();

    private record LiveCall(Runnable report, ScheduledFuture<?> scheduled) {
    }

    public SansPbxSimulator(String accessToken, String accessKey, String basicAuth, Duration tokenLifetime,
            Duration callbackDelay, ZoneId zone, Clock clock) {
        this.callbackDelay = callbackDelay;
        this.accessToken = accessToken;
        this.accessKey = accessKey;
        this.basicAuth = basicAuth;
        this.tokenLifetime = tokenLifetime;
        this.zone = zone;
        this.clock = clock;
        this.rules = new SansPbxRules(clock);
    }

    public Map<String, Object> gentoken(Exchange exchange) {
        Message in = exchange.getMessage();
        JsonNode body = record(exchange, "gentoken", "Accesstoken", "Authorization");
        if (!SansPbxRules.credentialsValid(accessToken, basicAuth, accessKey, in.getHeader("Accesstoken"),
                in.getHeader("Authorization"), body)) {
            return answer(exchange, 401, Map.of("status", "error", "message", "Invalid credentials"));
        }
        return answer(exchange, 200, rules.issueToken(tokenLifetime, zone));
    }

    public Map<String, Object> dialcall(Exchange exchange) {
        JsonNode body = record(exchange, "dialcall", "Apitoken");
        if (!rules.tokenValid(exchange.getMessage().getHeader("Apitoken"))) {
            return answer(exchange, 401, Map.of("status", "error", "message", "Token expired or invalid"));
        }
        if (!SansPbxRules.dialValid(body)) {
            return answer(exchange, 200, Map.of("status", "error", "message", "Invalid parameters"));
        }
        String callId = Long.toString(callIds.incrementAndGet());
        // its recording, served next to the API it was dialled through
        String dialUrl = String.valueOf(exchange.getMessage().getHeader(Exchange.HTTP_URL));
        callBackLater(callId, body, dialUrl.replaceFirst("/pbxadmin/sanpbxapi/dialcall$", "/recordings/")
                + callId + ".wav");
        return answer(exchange, 200, Map.of("status", "success", "call_id", callId));
    }

    /** Like the PBX, reports the call's end to its status_callback: here, answered and talked for 37 seconds. */
    private void callBackLater(String callId, JsonNode dial, String recording) {
        String url = dial.path("custom_field").path("status_callback").asText("");
        if (!url.startsWith("http")) {
            return;
        }
        Map<String, Object> report = SansPbxRules.report(callId, dial, clock.instant(),
                Math.max(1, callbackDelay.toSeconds()), zone);
        report.put("recfile", recording);
        Runnable send = () -> {
            if (live.remove(callId) == null) {
                return;
            }
            try {
                http.get().send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(report))).build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (Exception e) {
                // a real PBX would retry; the demo simply reports nothing
            }
        };
        live.put(callId, new LiveCall(send, callbacks.schedule(send, callbackDelay.toMillis(), TimeUnit.MILLISECONDS)));
    }

    /** Ends a live call: its end is reported now instead of later. */
    public Map<String, Object> calldisconnect(Exchange exchange) {
        JsonNode body = record(exchange, "calldisconnect", "Apitoken");
        if (!rules.tokenValid(exchange.getMessage().getHeader("Apitoken"))) {
            return answer(exchange, 401, Map.of("status", "error", "message", "Token expired or invalid"));
        }
        LiveCall call = body == null ? null : live.get(body.path("callid").asText());
        if (call == null) {
            return answer(exchange, 200, Map.of("status", "error", "message", "No such live call"));
        }
        call.scheduled().cancel(false);
        callbacks.execute(call.report());
        return answer(exchange, 200, Map.of("status", "success"));
    }

    /** A call's recording ({@code recfile}), for a request with a valid Apitoken: a second of a tone, as WAV. */
    public byte[] recording(Exchange exchange) {
        record(exchange, "recording", "Apitoken");
        Message message = exchange.getMessage();
        boolean valid = rules.tokenValid(message.getHeader("Apitoken"));
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, valid ? 200 : 401);
        message.setHeader(Exchange.CONTENT_TYPE, valid ? "audio/wav" : "application/json");
        return valid ? DemoAudio.wav() : "{\"status\":\"error\",\"message\":\"Token expired or invalid\"}".getBytes();
    }

    public synchronized List<Map<String, Object>> requests() {
        return new ArrayList<>(received);
    }

    private JsonNode record(Exchange exchange, String api, String... secretHeaders) {
        String text = "recording".equals(api) ? null : exchange.getMessage().getBody(String.class);
        JsonNode body;
        try {
            body = text == null ? null : Json.MAPPER.readTree(text);
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

package voipgateway.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import voipgateway.api.Json;
import voipgateway.demo.DemoAudio;
import voipgateway.demo.SansPbxRules;
import voipgateway.simulator.SimulatorSettings.CallbackFault;
import voipgateway.simulator.SimulatorSettings.Fault;

/**
 * The standalone provider simulator ({@code java -jar voip-gateway-simulator.jar --port 9090}): SansPBX (gentoken,
 * dialcall, calldisconnect, post-call report) and Twilio (account, Calls, hang-up, signed status events) with the
 * latencies and faults of {@link SimulatorSettings}, and {@link SimulatorCounts} of what it received and did. Built
 * on Vert.x alone (no thread per request): hundreds of delayed answers in flight cost it nothing, so it is never
 * what a benchmark measures.
 *
 * <p>Admin: {@code GET /simulator/counts}, {@code GET /simulator/calls}, {@code GET|PUT /simulator/settings},
 * {@code POST /simulator/reset}.
 */
public class ProviderSimulator {

    static final String SANSPBX = "/pbxadmin/sanpbxapi/";
    static final String TWILIO_ACCOUNT = "/2010-04-01/Accounts/([^/]+)";
    static final String RECORDINGS = "/pbxadmin/recordings/";

    private final Vertx vertx;
    private final AtomicReference<SimulatorSettings> settings;
    private final AtomicReference<Random> random;
    private final SimulatorCounts counts = new SimulatorCounts();
    private final SimulatedCallbacks callbacks;
    private final SansPbxRules rules;
    private final AtomicLong sansPbxCallIds = new AtomicLong(100_000);
    /** The Twilio calls it placed, by CallSid: how long each lasted, and how often its resource was read. */
    private final Map<String, TwilioCall> twilioCalls = new ConcurrentHashMap<>();

    private record TwilioCall(long seconds, AtomicInteger lookups) {
    }
    private final Clock clock = Clock.systemUTC();
    private final ZoneId zone = ZoneId.of("Asia/Kolkata");
    private HttpServer server;

    public ProviderSimulator(Vertx vertx, SimulatorSettings settings) {
        this.vertx = vertx;
        this.settings = new AtomicReference<>(settings);
        this.random = new AtomicReference<>(new Random(settings.seed));
        this.callbacks = new SimulatedCallbacks(vertx, counts, this.settings::get, zone);
        this.rules = new SansPbxRules(clock);
    }

    public Future<HttpServer> start(String host, int port) {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(1 << 20).setHandleFileUploads(false));
        router.post(SANSPBX + "gentoken").handler(this::gentoken);
        router.post(SANSPBX + "dialcall").handler(this::dialcall);
        router.post(SANSPBX + "calldisconnect").handler(this::calldisconnect);
        router.getWithRegex(TWILIO_ACCOUNT + "\\.json").handler(this::twilioAccount);
        router.postWithRegex(TWILIO_ACCOUNT + "/Calls\\.json").handler(this::twilioDial);
        router.postWithRegex(TWILIO_ACCOUNT + "/Calls/([^/]+)\\.json").handler(this::twilioHangup);
        router.getWithRegex(TWILIO_ACCOUNT + "/Calls/([^/]+)\\.json").handler(this::twilioCall);
        router.getWithRegex(TWILIO_ACCOUNT + "/Recordings/(RE[0-9a-f]{32})(\\.wav)?").handler(this::twilioRecording);
        router.get(RECORDINGS + ":file").handler(this::sansPbxRecording);
        router.get("/simulator/counts").handler(ctx -> json(ctx, 200, counts.snapshot()));
        router.get("/simulator/calls").handler(ctx -> json(ctx, 200, counts.calls()));
        router.get("/simulator/settings").handler(ctx -> json(ctx, 200, masked(settings.get())));
        router.put("/simulator/settings").handler(this::changeSettings);
        router.post("/simulator/reset").handler(ctx -> {
            counts.clear();
            twilioCalls.clear();
            json(ctx, 200, counts.snapshot());
        });
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
        return server.requestHandler(router).listen();
    }

    public int port() {
        return server.actualPort();
    }

    public SimulatorCounts counts() {
        return counts;
    }

    // --- SansPBX ---

    private void gentoken(RoutingContext ctx) {
        counts.add("requests.sanspbx.gentoken");
        SimulatorSettings now = settings.get();
        JsonNode body = jsonBody(ctx);
        boolean valid = SansPbxRules.credentialsValid(now.sansPbxAccessToken,
                basicAuth(now.sansPbxUsername, now.sansPbxPassword), now.sansPbxAccessKey,
                ctx.request().getHeader("Accesstoken"), ctx.request().getHeader("Authorization"), body);
        answer(ctx, true, now.tokenLatencyMs, () -> valid
                ? new Answer(200, rules.issueToken(Duration.ofSeconds(settings.get().tokenLifetimeSeconds), zone))
                : new Answer(401, Map.of("status", "error", "message", "Invalid credentials")));
    }

    private void dialcall(RoutingContext ctx) {
        counts.add("requests.sanspbx.dialcall");
        JsonNode body = jsonBody(ctx);
        answer(ctx, false, dialLatency(), () -> {
            if (!rules.tokenValid(ctx.request().getHeader("Apitoken"))) {
                return new Answer(401, Map.of("status", "error", "message", "Token expired or invalid"));
            }
            if (!SansPbxRules.dialValid(body)) {
                return new Answer(200, Map.of("status", "error", "message", "Invalid parameters"));
            }
            String callId = Long.toString(sansPbxCallIds.incrementAndGet());
            String statusCallback = body.path("custom_field").path("status_callback").asText("");
            SimulatorCounts.Call call = counts.placed(callKey(statusCallback, callId), "SansPBX", callId);
            callbacks.sansPbx(call, body, statusCallback, callbackFault(), ending(),
                    origin(ctx) + RECORDINGS + callId + ".wav");
            return new Answer(200, Map.of("status", "success", "call_id", callId));
        });
    }

    private void calldisconnect(RoutingContext ctx) {
        counts.add("requests.sanspbx.calldisconnect");
        JsonNode body = jsonBody(ctx);
        answer(ctx, false, settings.get().tokenLatencyMs, () -> {
            if (!rules.tokenValid(ctx.request().getHeader("Apitoken"))) {
                return new Answer(401, Map.of("status", "error", "message", "Token expired or invalid"));
            }
            if (body == null || !callbacks.endNow(body.path("callid").asText())) {
                return new Answer(200, Map.of("status", "error", "message", "No such live call"));
            }
            return new Answer(200, Map.of("status", "success"));
        });
    }

    // --- Twilio ---

    private void twilioAccount(RoutingContext ctx) {
        counts.add("requests.twilio.account");
        String sid = ctx.pathParam("param0");
        answer(ctx, true, settings.get().tokenLatencyMs, () -> twilioAuthorized(ctx, sid)
                ? new Answer(200, Map.of("sid", sid, "status", "active"))
                : twilioUnauthorized());
    }

    private void twilioDial(RoutingContext ctx) {
        counts.add("requests.twilio.calls");
        String sid = ctx.pathParam("param0");
        MultiMap form = ctx.request().formAttributes();
        answer(ctx, true, dialLatency(), () -> {
            if (!twilioAuthorized(ctx, sid)) {
                return twilioUnauthorized();
            }
            String to = form.get("To");
            if (to == null || !to.matches("\\+[0-9]{8,15}") || form.get("From") == null) {
                return new Answer(400, Map.of("code", 21201, "message", "To and From must be phone numbers"));
            }
            String callSid = "CA" + UUID.randomUUID().toString().replace("-", "");
            String statusCallback = form.get("StatusCallback") == null ? "" : form.get("StatusCallback");
            SimulatorCounts.Call call = counts.placed(callKey(statusCallback, callSid), "Twilio", callSid);
            SimulatorSettings.Ending ending = ending();
            long seconds = callbacks.twilio(call, form, statusCallback, callbackFault(), ending,
                    answeredBy(form, ending), origin(ctx) + "/2010-04-01/Accounts/" + sid + "/Recordings/");
            twilioCalls.put(callSid, new TwilioCall(seconds, new AtomicInteger()));
            Map<String, Object> created = new LinkedHashMap<>();
            created.put("sid", callSid);
            created.put("status", "queued");
            created.put("to", to);
            created.put("from", form.get("From"));
            return new Answer(201, created);
        });
    }

    private void twilioHangup(RoutingContext ctx) {
        counts.add("requests.twilio.hangup");
        String sid = ctx.pathParam("param0");
        String callSid = ctx.pathParam("param1");
        answer(ctx, true, settings.get().tokenLatencyMs, () -> {
            if (!twilioAuthorized(ctx, sid)) {
                return twilioUnauthorized();
            }
            if (!"completed".equals(ctx.request().getFormAttribute("Status")) || !callbacks.endNow(callSid)) {
                return new Answer(404, Map.of("code", 20404, "message", "The requested resource was not found"));
            }
            return new Answer(200, Map.of("sid", callSid, "status", "completed"));
        });
    }

    /**
     * A call's resource: its price ({@code -pricePerMinute} a started minute; 0 unanswered) and {@code price_unit}, the
     * price null for its first {@code priceLateLookups} reads, as Twilio prices a call minutes after it ended.
     */
    private void twilioCall(RoutingContext ctx) {
        counts.add("requests.twilio.call");
        String sid = ctx.pathParam("param0");
        TwilioCall call = twilioCalls.get(ctx.pathParam("param1"));
        answer(ctx, true, settings.get().tokenLatencyMs, () -> {
            if (!twilioAuthorized(ctx, sid)) {
                return twilioUnauthorized();
            }
            if (call == null) {
                return new Answer(404, Map.of("code", 20404, "message", "The requested resource was not found"));
            }
            Map<String, Object> resource = new LinkedHashMap<>();
            resource.put("sid", ctx.pathParam("param1"));
            resource.put("duration", Long.toString(call.seconds()));
            boolean priced = call.lookups().incrementAndGet() > settings.get().priceLateLookups;
            resource.put("price", priced ? BigDecimal.valueOf(settings.get().pricePerMinute)
                    .multiply(BigDecimal.valueOf((call.seconds() + 59) / 60)).setScale(5,
                            RoundingMode.HALF_UP).negate().toPlainString() : null);
            resource.put("price_unit", "USD");
            return new Answer(200, resource);
        });
    }

    /** A recording of a call it placed (RecordingUrl), with the account's Basic auth: a second of a tone. */
    private void twilioRecording(RoutingContext ctx) {
        counts.add("requests.twilio.recording");
        if (!twilioAuthorized(ctx, ctx.pathParam("param0"))) {
            json(ctx, 401, Map.of("code", 20003, "message", "Authenticate"));
            return;
        }
        audio(ctx);
    }

    /** A recording of a call it placed (recfile), with a valid Apitoken: a second of a tone. */
    private void sansPbxRecording(RoutingContext ctx) {
        counts.add("requests.sanspbx.recording");
        if (!rules.tokenValid(ctx.request().getHeader("Apitoken"))) {
            json(ctx, 401, Map.of("status", "error", "message", "Token expired or invalid"));
            return;
        }
        audio(ctx);
    }

    private static void audio(RoutingContext ctx) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "audio/wav")
                .end(Buffer.buffer(DemoAudio.wav()));
    }

    /** Where it was reached ({@code http://host:port}), for the URLs of its recordings. */
    private static String origin(RoutingContext ctx) {
        return "http://" + ctx.request().getHeader("Host");
    }

    private boolean twilioAuthorized(RoutingContext ctx, String accountSid) {
        SimulatorSettings now = settings.get();
        return now.twilioAccountSid.equals(accountSid)
                && basicAuth(now.twilioAccountSid, now.twilioAuthToken)
                        .equals(ctx.request().getHeader("Authorization"));
    }

    private static Answer twilioUnauthorized() {
        return new Answer(401, Map.of("code", 20003, "message", "Authenticate"));
    }

    // --- faults and answers ---

    private record Answer(int status, Object body) {
    }

    /**
     * Draws the request's fate: a refusal (503, 401) before anything happens; otherwise the request is acted on
     * after {@code latencyMs} (a dial places its call) and its answer is sent, sent late, never sent, or replaced
     * by a closed connection.
     */
    private void answer(RoutingContext ctx, boolean tokenRequest, long latencyMs, Supplier<Answer> act) {
        SimulatorSettings now = settings.get();
        Fault fault = now.down ? Fault.ERROR_5XX : now.fault(random.get().nextDouble(), tokenRequest);
        counts.add("answers." + (now.down ? "down" : fault.name().toLowerCase()));
        vertx.setTimer(Math.max(1, latencyMs), timer -> {
            switch (fault) {
                case ERROR_5XX -> json(ctx, 503, Map.of("status", "error", "message", "Service Unavailable"));
                case EXPIRED_TOKEN -> json(ctx, 401, Map.of("status", "error", "message", "Token expired or invalid"));
                default -> {
                    Answer answer = act.get();
                    switch (fault) {
                        case RESET -> ctx.request().connection().close();
                        case TIMEOUT -> vertx.setTimer(Math.max(1, now.timeoutMs),
                                later -> ctx.request().connection().close());
                        case SLOW -> vertx.setTimer(Math.max(1, now.slowMs), later -> json(ctx, answer.status(),
                                answer.body()));
                        default -> json(ctx, answer.status(), answer.body());
                    }
                }
            }
        });
    }

    private SimulatorSettings.Ending ending() {
        return settings.get().ending(random.get().nextDouble());
    }

    /** A machine detection's verdict, when the dial asked for one and is answered: drawn by {@code machineRate}. */
    private String answeredBy(MultiMap dial, SimulatorSettings.Ending ending) {
        if (!"Enable".equals(dial.get("MachineDetection")) || ending != SimulatorSettings.Ending.ANSWERED) {
            return null;
        }
        return random.get().nextDouble() < settings.get().machineRate ? "machine_end_beep" : "human";
    }

    private CallbackFault callbackFault() {
        return settings.get().callbackFault(random.get().nextDouble());
    }

    private long dialLatency() {
        SimulatorSettings now = settings.get();
        long min = now.dialLatencyMinMs();
        long max = now.dialLatencyMaxMs();
        return min + (max > min ? (long) (random.get().nextDouble() * (max - min)) : 0);
    }

    private void changeSettings(RoutingContext ctx) {
        SimulatorSettings changed;
        try {
            changed = settings.get().with(Json.MAPPER.readTree(ctx.body().asString()));
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            json(ctx, 400, Map.of("error", "invalid_settings", "field", e.getPropertyName(),
                    "message", "unknown setting " + e.getPropertyName() + " (GET /simulator/settings lists them)"));
            return;
        } catch (Exception e) {
            json(ctx, 400, Map.of("error", "invalid_settings",
                    "message", "a JSON object of settings, each of its type"));
            return;
        }
        List<String> wrong = changed.check();
        if (!wrong.isEmpty()) {
            json(ctx, 400, Map.of("error", "invalid_settings", "field", wrong.get(0).split(":")[0],
                    "message", String.join("; ", wrong)));
            return;
        }
        if (changed.seed != settings.get().seed) {
            random.set(new Random(changed.seed));
        }
        settings.set(changed);
        json(ctx, 200, masked(changed));
    }

    private static Map<String, Object> masked(SimulatorSettings settings) {
        @SuppressWarnings("unchecked")
        Map<String, Object> shown = Json.MAPPER.convertValue(settings, Map.class);
        shown.replaceAll((name, value) -> name.startsWith("sansPbx") || name.startsWith("twilio") ? "***" : value);
        return shown;
    }

    /** The gateway's call id from the status callback URL it gave ({@code ?call=<id>&token=...}). */
    static String callKey(String statusCallback, String fallback) {
        int query = statusCallback.indexOf('?');
        if (query >= 0) {
            for (String pair : statusCallback.substring(query + 1).split("&")) {
                if (pair.startsWith("call=")) {
                    return pair.substring("call=".length());
                }
            }
        }
        return fallback;
    }

    static String basicAuth(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode jsonBody(RoutingContext ctx) {
        try {
            return ctx.body().isEmpty() ? null : Json.MAPPER.readTree(ctx.body().asString());
        } catch (Exception e) {
            return null;
        }
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        HttpServerRequest request = ctx.request();
        if (request.response().ended() || request.response().closed()) {
            return;
        }
        try {
            request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(Json.MAPPER.writeValueAsString(body));
        } catch (Exception e) {
            request.response().setStatusCode(500).end();
        }
    }
}

package voipgateway.simulator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import voipgateway.api.Json;
import voipgateway.callbacks.TwilioSignatures;
import voipgateway.demo.SansPbxRules;
import voipgateway.simulator.SimulatorSettings.CallbackFault;
import voipgateway.simulator.SimulatorSettings.Ending;

/**
 * The status reports of the simulator's placed calls, with their faults: SansPBX's one post-call report (JSON),
 * Twilio's signed form events initiated, ringing, in-progress, completed. The final report comes after the
 * call's duration, or at once when the call is hung up; a missing one is never sent, a late one comes
 * {@code callbackLateMs} later, a duplicate is sent twice, and out of order (Twilio) sends the earlier events
 * after the final one. Nothing is retried: a provider may not retry either.
 */
class SimulatedCallbacks {

    private final Vertx vertx;
    private final HttpClient client;
    private final SimulatorCounts counts;
    private final Supplier<SimulatorSettings> settings;
    private final ZoneId zone;
    /** Calls whose final report is still to come, by provider call id: a hang-up sends it at once. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(long timer, Runnable report) {
    }

    SimulatedCallbacks(Vertx vertx, SimulatorCounts counts, Supplier<SimulatorSettings> settings, ZoneId zone) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64).setKeepAlive(true));
        this.counts = counts;
        this.settings = settings;
        this.zone = zone;
    }

    /** {@code recording}: where an answered call's recording is served ({@code recfile}). */
    void sansPbx(SimulatorCounts.Call call, JsonNode dial, String url, CallbackFault fault, Ending ending,
            String recording) {
        long seconds = Math.max(1, settings.get().callbackDelayMs / 1000);
        Map<String, Object> report = SansPbxRules.report(call.providerCallId, dial, Instant.now(), seconds, zone);
        if (ending == Ending.ANSWERED) {
            report.put("recfile", recording);
        }
        // Asterisk's disposition and Q.850 cause for a callee busy (17), not answering (19), declining (21), or a
        // number that does not exist (1)
        switch (ending) {
            case BUSY -> report.putAll(Map.of("disposition", "BUSY", "cause", "17", "cause_txt", "User busy",
                    "duration", "0", "billsec", "0"));
            case NO_ANSWER -> report.putAll(Map.of("disposition", "NO ANSWER", "cause", "19", "cause_txt",
                    "No answer", "duration", "0", "billsec", "0"));
            case REJECTED -> report.putAll(Map.of("disposition", "BUSY", "cause", "21", "cause_txt", "Call rejected",
                    "duration", "0", "billsec", "0"));
            case INVALID_NUMBER -> report.putAll(Map.of("disposition", "FAILED", "cause", "1", "cause_txt",
                    "Unallocated (unassigned) number", "duration", "0", "billsec", "0"));
            default -> { }
        }
        call.finalStatus = (String) report.get("disposition");
        String body;
        try {
            body = Json.MAPPER.writeValueAsString(report);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        scheduleFinal(call, url, fault, () -> post(call, url, "application/json", body, null, true), List.of());
    }

    /**
     * {@code answeredBy}: when the dial asked for asynchronous machine detection and the call is answered, the
     * verdict ({@code human}, {@code machine_end_beep}) posted to its {@code AsyncAmdStatusCallback} once answered.
     * Answers the call's duration in seconds.
     */
    long twilio(SimulatorCounts.Call call, MultiMap dial, String url, CallbackFault fault, Ending ending,
            String answeredBy, String recordings) {
        // Twilio reports a decline as busy and a number that does not exist as failed, its SIP code saying which
        String last = switch (ending) {
            case BUSY, REJECTED -> "busy";
            case NO_ANSWER -> "no-answer";
            case INVALID_NUMBER -> "failed";
            default -> "completed";
        };
        String sip = switch (ending) {
            case BUSY -> "486";
            case NO_ANSWER -> "480";
            case REJECTED -> "603";
            case INVALID_NUMBER -> "404";
            default -> "200";
        };
        call.finalStatus = last;
        long seconds = ending == Ending.ANSWERED ? Math.max(1, settings.get().callbackDelayMs / 1000) : 0;
        List<Runnable> earlier = new ArrayList<>((ending == Ending.ANSWERED
                ? List.of("initiated", "ringing", "in-progress") : List.of("initiated", "ringing")).stream()
                .<Runnable>map(status -> () -> twilioEvent(call, dial, url, Map.of("CallStatus", status), false))
                .toList());
        String amdUrl = dial.get("AsyncAmdStatusCallback");
        if (answeredBy != null && amdUrl != null) {
            counts.add("callbacks.machine-detection");
            earlier.add(() -> twilioEvent(call, dial, amdUrl, Map.of("AnsweredBy", answeredBy,
                    "MachineDetectionDuration", "2150"), false));
        }
        Runnable end = () -> twilioEvent(call, dial, url, Map.of("CallStatus", last, "CallDuration",
                Long.toString(seconds), "SipResponseCode", sip), true);
        String recordingCallback = dial.get("RecordingStatusCallback");
        if ("true".equals(dial.get("Record")) && ending == Ending.ANSWERED && recordingCallback != null) {
            // asked to record: the recording is reported once the call ended
            String sid = "RE" + UUID.randomUUID().toString().replace("-", "");
            Runnable ended = end;
            end = () -> {
                ended.run();
                vertx.setTimer(100, later -> twilioEvent(call, dial, recordingCallback, Map.of("RecordingSid", sid,
                        "RecordingUrl", recordings + sid, "RecordingStatus", "completed", "RecordingDuration",
                        Long.toString(seconds), "RecordingChannels", "1", "RecordingSource", "OutboundAPI"), false));
            };
        }
        scheduleFinal(call, url, fault, end, earlier);
        return seconds;
    }

    private void twilioEvent(SimulatorCounts.Call call, MultiMap dial, String url, Map<String, String> fields,
            boolean last) {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("AccountSid", settings.get().twilioAccountSid);
        form.put("CallSid", call.providerCallId);
        form.put("To", dial.get("To"));
        form.put("From", dial.get("From"));
        form.put("Direction", "outbound-api");
        new TreeMap<>(fields).forEach(form::put);
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        post(call, url, "application/x-www-form-urlencoded", body,
                TwilioSignatures.sign(settings.get().twilioAuthToken, url, form), last);
    }

    /** Sends the earlier events now and the final one after the call's duration, as the fault says. */
    private void scheduleFinal(SimulatorCounts.Call call, String url, CallbackFault fault, Runnable report,
            List<Runnable> earlier) {
        if (!url.startsWith("http")) {
            call.finalDue = false;
            return;
        }
        SimulatorSettings now = settings.get();
        long delay = Math.max(1, now.callbackDelayMs);
        Runnable send = report;
        switch (fault) {
            case MISSING -> send = () -> { };
            case LATE -> delay += now.callbackLateMs;
            case DUPLICATE -> send = () -> {
                report.run();
                vertx.setTimer(200, again -> report.run());
            };
            default -> {
            }
        }
        if (fault != CallbackFault.NONE) {
            counts.add("callbacks." + fault.name().toLowerCase());
        }
        call.finalDue = fault != CallbackFault.MISSING;
        boolean reordered = fault == CallbackFault.OUT_OF_ORDER && !earlier.isEmpty();
        for (int i = 0; i < earlier.size(); i++) {
            Runnable event = earlier.get(i);
            vertx.setTimer(reordered ? delay + 100L * (i + 1) : 50L + 100L * i, t -> event.run());
        }
        Runnable finalReport = send;
        long timer = vertx.setTimer(delay, t -> {
            if (pending.remove(call.providerCallId) != null) {
                finalReport.run();
            }
        });
        pending.put(call.providerCallId, new Pending(timer, finalReport));
    }

    /** A hang-up: the call's final report goes now; false when the call is not live. */
    boolean endNow(String providerCallId) {
        Pending call = pending.remove(providerCallId);
        if (call == null) {
            return false;
        }
        vertx.cancelTimer(call.timer());
        call.report().run();
        return true;
    }

    private void post(SimulatorCounts.Call call, String url, String contentType, String body, String signature,
            boolean last) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .setIdleTimeout(10_000).putHeader("Content-Type", contentType);
        if (signature != null) {
            request.putHeader("X-Twilio-Signature", signature);
        }
        counts.add("callbacks.sent");
        client.request(request)
                .compose(sending -> sending.send(body))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .onComplete(answered -> {
                    if (answered.succeeded() && answered.result() / 100 == 2) {
                        counts.add("callbacks.acknowledged");
                        if (last) {
                            call.finalAcknowledged = true;
                        }
                    } else {
                        counts.add(answered.succeeded() ? "callbacks.refused" : "callbacks.failed");
                    }
                });
    }
}

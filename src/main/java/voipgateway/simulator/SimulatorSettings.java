package voipgateway.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import voipgateway.api.Json;

/**
 * What the standalone provider simulator does: its latencies (the integration guide's ~500 ms gentoken, 1-2 s
 * dialcall), its credentials (the guide's fake ones), and the faults it injects, each a rate from 0 to 1. Set from
 * the command line ({@code --dial-latency-ms 1000-2000}) and changed while it runs ({@code PUT /simulator/settings}
 * with the same names in camelCase); {@link #check()} names what is wrong.
 */
public class SimulatorSettings {

    /** An answer's fate: each provider request draws one, by the rates below. */
    public enum Fault { NONE, ERROR_5XX, EXPIRED_TOKEN, TIMEOUT, RESET, SLOW }

    /** A placed call's status report's fate. */
    public enum CallbackFault { NONE, LATE, DUPLICATE, OUT_OF_ORDER, MISSING }

    /** How a placed call ends: answered, the callee busy or not answering, the call declined, or no such number. */
    public enum Ending { ANSWERED, BUSY, NO_ANSWER, REJECTED, INVALID_NUMBER }

    public long tokenLatencyMs = 500;
    /** {@code 1500} or {@code 1000-2000} (each dial draws a latency in the range). */
    public String dialLatencyMs = "1000-2000";
    public long tokenLifetimeSeconds = 600;
    /** How long a placed call lasts before its final status is reported. */
    public long callbackDelayMs = 3_000;

    /** Every provider request answered 503 (the provider is down). */
    public boolean down;
    public double error5xxRate;
    /** dialcall and calldisconnect answered 401 as if the Apitoken had expired. */
    public double expiredTokenRate;
    /** The request is read and never answered (the connection is closed after {@link #timeoutMs}). */
    public double timeoutRate;
    public long timeoutMs = 300_000;
    /** The request is read, acted on (a dial places the call), then the connection is closed without an answer. */
    public double resetRate;
    /** The answer comes {@link #slowMs} late. */
    public double slowRate;
    public long slowMs = 8_000;

    /** Placed calls that end busy, and unanswered (the rest are answered). */
    public double busyRate;
    public double noAnswerRate;
    /** Placed calls the callee declines (Twilio: busy with SIP 603; SansPBX: Q.850 cause 21). */
    public double rejectedRate;
    /** Placed calls to a number that does not exist (Twilio: failed with SIP 404; SansPBX: Q.850 cause 1). */
    public double invalidNumberRate;
    /** Of the answered calls that ask for machine detection, those a machine answers (the rest: a person). */
    public double machineRate;
    /** What a Twilio call costs a started minute, in USD (its resource's price, negative as Twilio writes it). */
    public double pricePerMinute = 0.013;
    /** How many lookups of a Twilio call's resource find no price yet (Twilio prices a call minutes later). */
    public int priceLateLookups = 1;

    public double callbackLateRate;
    public long callbackLateMs = 30_000;
    public double callbackDuplicateRate;
    /** The final status is reported before the earlier ones (Twilio: completed, then ringing and answered). */
    public double callbackOutOfOrderRate;
    public double callbackMissingRate;

    /** Fixes the random draws, so a run can be repeated. */
    public long seed = 42;

    public String sansPbxAccessToken = "0123456789abcdef0123456789abcdef";
    public String sansPbxAccessKey = "demo-access-key";
    public String sansPbxUsername = "demo-user";
    public String sansPbxPassword = "Demo@&1234!#";
    public String twilioAccountSid = "ACde000000000000000000000000000000";
    public String twilioAuthToken = "demo-twilio-auth-token";

    private static final ObjectReader UPDATE = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public long dialLatencyMinMs() {
        return Long.parseLong(dialLatencyMs.split("-")[0].trim());
    }

    public long dialLatencyMaxMs() {
        String[] range = dialLatencyMs.split("-");
        return Long.parseLong(range[range.length - 1].trim());
    }

    /** These settings with the given ones over them; unknown names and wrong types are refused. */
    public SimulatorSettings with(JsonNode changes) throws java.io.IOException {
        SimulatorSettings copy = Json.MAPPER.convertValue(Json.MAPPER.valueToTree(this), SimulatorSettings.class);
        return UPDATE.withValueToUpdate(copy).readValue(changes);
    }

    /** {@code --dial-latency-ms 1000-2000 --error-5xx-rate=0.1} as settings over these. */
    public SimulatorSettings withArguments(List<String> args) throws java.io.IOException {
        Map<String, String> changes = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            if (name.contains("=")) {
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                value = "true";
            }
            changes.put(camelCase(name), value);
        }
        changes.remove("port");
        return with(Json.MAPPER.valueToTree(changes));
    }

    private static String camelCase(String dashed) {
        StringBuilder name = new StringBuilder();
        boolean upper = false;
        for (char c : dashed.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }

    /** What is wrong with these settings, by name; empty when they can be used. */
    public List<String> check() {
        List<String> wrong = new ArrayList<>();
        try {
            long min = dialLatencyMinMs();
            long max = dialLatencyMaxMs();
            if (min < 0 || max < min || dialLatencyMs.split("-").length > 2) {
                wrong.add("dialLatencyMs: a number of ms or a range like 1000-2000");
            }
        } catch (NumberFormatException e) {
            wrong.add("dialLatencyMs: a number of ms or a range like 1000-2000");
        }
        Map<String, Long> durations = Map.of("tokenLatencyMs", tokenLatencyMs, "callbackDelayMs", callbackDelayMs,
                "timeoutMs", timeoutMs, "slowMs", slowMs, "callbackLateMs", callbackLateMs,
                "tokenLifetimeSeconds", tokenLifetimeSeconds, "priceLateLookups", (long) priceLateLookups);
        if (!(pricePerMinute >= 0 && pricePerMinute < 1000)) {
            wrong.add("pricePerMinute: an amount from 0 to 1000");
        }
        durations.forEach((name, value) -> {
            if (value < 0) {
                wrong.add(name + ": must not be negative");
            }
        });
        Map<String, Double> answerRates = Map.of("error5xxRate", error5xxRate, "expiredTokenRate", expiredTokenRate,
                "timeoutRate", timeoutRate, "resetRate", resetRate, "slowRate", slowRate);
        Map<String, Double> callbackRates = Map.of("callbackLateRate", callbackLateRate, "callbackDuplicateRate",
                callbackDuplicateRate, "callbackOutOfOrderRate", callbackOutOfOrderRate, "callbackMissingRate",
                callbackMissingRate);
        Map<String, Double> endingRates = Map.of("busyRate", busyRate, "noAnswerRate", noAnswerRate,
                "rejectedRate", rejectedRate, "invalidNumberRate", invalidNumberRate);
        for (Map<String, Double> rates : List.of(answerRates, callbackRates, endingRates, Map.of("machineRate",
                machineRate))) {
            rates.forEach((name, rate) -> {
                if (!(rate >= 0 && rate <= 1)) {
                    wrong.add(name + ": a rate from 0 to 1");
                }
            });
            if (rates.values().stream().mapToDouble(Double::doubleValue).sum() > 1.000001) {
                wrong.add(String.join(", ", rates.keySet().stream().sorted().toList()) + ": add up to at most 1");
            }
        }
        return wrong;
    }

    /** One draw (a number from 0 to 1) as an answer's fate. */
    public Fault fault(double draw, boolean tokenRequest) {
        double[] rates = {error5xxRate, tokenRequest ? 0 : expiredTokenRate, timeoutRate, resetRate, slowRate};
        Fault[] faults = {Fault.ERROR_5XX, Fault.EXPIRED_TOKEN, Fault.TIMEOUT, Fault.RESET, Fault.SLOW};
        return pick(draw, rates, faults, Fault.NONE);
    }

    /** One draw as a placed call's ending. */
    public Ending ending(double draw) {
        return pick(draw, new double[] {busyRate, noAnswerRate, rejectedRate, invalidNumberRate},
                new Ending[] {Ending.BUSY, Ending.NO_ANSWER, Ending.REJECTED, Ending.INVALID_NUMBER}, Ending.ANSWERED);
    }

    /** One draw as a status report's fate. */
    public CallbackFault callbackFault(double draw) {
        double[] rates = {callbackLateRate, callbackDuplicateRate, callbackOutOfOrderRate, callbackMissingRate};
        CallbackFault[] faults = {CallbackFault.LATE, CallbackFault.DUPLICATE, CallbackFault.OUT_OF_ORDER,
                CallbackFault.MISSING};
        return pick(draw, rates, faults, CallbackFault.NONE);
    }

    private static <T> T pick(double draw, double[] rates, T[] outcomes, T none) {
        double bound = 0;
        for (int i = 0; i < rates.length; i++) {
            bound += rates[i];
            if (draw < bound) {
                return outcomes[i];
            }
        }
        return none;
    }
}

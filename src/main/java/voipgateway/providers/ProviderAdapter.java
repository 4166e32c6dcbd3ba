package voipgateway.providers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import voipgateway.api.ApiException;

/**
 * What a provider adapter (one file in {@code routes/providers/}) declares about itself, as a bean of that file:
 * the provider name accounts use, the credential fields an account needs (and which are secret: encrypted at
 * rest, masked in provider text), the fields that tell one account from another, and how the provider's call
 * statuses map onto the call lifecycle. Its routes are found by {@code id}: {@code direct:<id>-verify},
 * {@code direct:<id>-dial}, {@code direct:<id>-hangup} (see docs/provider-adapters.md).
 *
 * <p>A credential field is declared as {@code name: kinds}, kinds being any of {@code text} (the default),
 * {@code secret}, {@code url} (https, a public host), {@code number} (a whole number) and {@code optional}. Its
 * format may be declared in {@code patterns} ({@code name: regex}, as a kamelet declares a property's
 * {@code pattern}): a value that does not match is refused naming the field. No text field may hold a control
 * character, declared or not.
 */
public class ProviderAdapter {

    private static final Set<String> KINDS = Set.of("text", "secret", "url", "number", "optional");
    /** The call statuses a provider's callback may report. */
    public static final List<String> REPORTED = List.of("initiated", "ringing", "answered", "completed", "busy",
            "no-answer", "failed", "canceled");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private String provider;
    private String id;
    private Map<String, String> credentials = new LinkedHashMap<>();
    private String identity = "";
    private Map<String, String> statuses = new LinkedHashMap<>();
    private Map<String, String> patterns = new LinkedHashMap<>();
    private Map<String, Pattern> formats = Map.of();
    private Map<String, String> causes = new LinkedHashMap<>();
    private String permanentCauses = "";
    private Map<String, String> machineVerdicts = new LinkedHashMap<>();
    private boolean recordsOnRequest;

    /** How a call ended, the same for every provider. */
    public static final List<String> OUTCOMES = List.of("answered", "busy", "no_answer", "rejected", "failed",
            "canceled", "machine", "unknown");
    /** Answering-machine detection as a call or an agent asks for it: none, or asynchronous detection. */
    public static final List<String> DETECTION_MODES = List.of("off", "detect");
    /** What answering-machine detection may find on the line. */
    public static final List<String> VERDICTS = List.of("human", "machine", "fax", "unknown");

    public String getProvider() {
        return provider;
    }

    public void setProvider(String provider) {
        this.provider = provider;
    }

    /** The prefix of its routes; the provider name in lower case unless given. */
    public String getId() {
        return id != null ? id : provider.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    public void setId(String id) {
        this.id = id;
    }

    public Map<String, String> getCredentials() {
        return credentials;
    }

    public void setCredentials(Map<String, String> credentials) {
        this.credentials = new LinkedHashMap<>(credentials);
    }

    public String getIdentity() {
        return identity;
    }

    public void setIdentity(String identity) {
        this.identity = identity;
    }

    public Map<String, String> getStatuses() {
        return statuses;
    }

    public void setStatuses(Map<String, String> statuses) {
        this.statuses = new LinkedHashMap<>(statuses);
    }

    public Map<String, String> getCauses() {
        return causes;
    }

    /**
     * {@code code: outcome}: what a provider's own code for a call's end (SansPBX's Q.850 {@code cause}, Twilio's
     * {@code SipResponseCode}) means, where its status alone does not say it (a decline reported as busy).
     */
    public void setCauses(Map<String, String> causes) {
        this.causes = new LinkedHashMap<>();
        // YAML reads a bare 16 as a number: the codes are kept as text
        causes.forEach((code, outcome) -> this.causes.put(String.valueOf(code), outcome));
    }

    public String getPermanentCauses() {
        return permanentCauses;
    }

    /** The codes after which the number is never dialled again (an unallocated or invalid number), comma separated. */
    public void setPermanentCauses(String permanentCauses) {
        this.permanentCauses = permanentCauses == null ? "" : permanentCauses;
    }

    /**
     * A final call's outcome: its code's, when declared; else its status' ({@code completed} is answered,
     * {@code no-answer} no_answer, ...).
     */
    public String outcome(String status, String code) {
        String declared = code == null ? null : causes.entrySet().stream()
                .filter(cause -> comparable(cause.getKey()).equals(comparable(code))).map(Map.Entry::getValue)
                .findFirst().orElse(null);
        if (declared != null) {
            return declared;
        }
        return switch (status) {
            case "completed" -> "answered";
            case "no-answer" -> "no_answer";
            case "busy", "failed", "canceled", "unknown" -> status;
            default -> null;
        };
    }

    /** Whether the number is never to be dialled again after this end: a decline, or a declared permanent code. */
    public boolean permanent(String outcome, String code) {
        return "rejected".equals(outcome) || code != null && List.of(permanentCauses.split("\\s*,\\s*"))
                .contains(code.trim());
    }

    public Map<String, String> getMachineVerdicts() {
        return machineVerdicts;
    }

    /**
     * {@code word: verdict}: the provider's answering-machine detection results (Twilio's {@code AnsweredBy}) as
     * {@link #VERDICTS}. An adapter that declares none has no detection, and a call asking for it is refused.
     */
    public void setMachineVerdicts(Map<String, String> machineVerdicts) {
        this.machineVerdicts = new LinkedHashMap<>(machineVerdicts);
    }

    public boolean detectsMachines() {
        return !machineVerdicts.isEmpty();
    }

    /** A detection result as a verdict; an undeclared word is {@code unknown}. */
    public String verdict(String word) {
        String wanted = comparable(word);
        return machineVerdicts.entrySet().stream().filter(e -> comparable(e.getKey()).equals(wanted))
                .map(Map.Entry::getValue).findFirst().orElse("unknown");
    }

    public boolean isRecordsOnRequest() {
        return recordsOnRequest;
    }

    /** Whether its dial can ask for the call to be recorded ({@code record: true}); else a call asking is refused. */
    public void setRecordsOnRequest(boolean recordsOnRequest) {
        this.recordsOnRequest = recordsOnRequest;
    }

    public Map<String, String> getPatterns() {
        return patterns;
    }

    /** {@code field: regex}; a regex that does not compile is refused when the file loads ({@link #check}). */
    public void setPatterns(Map<String, String> patterns) {
        this.patterns = new LinkedHashMap<>(patterns);
    }

    /** A credential a client gave, refused (400 naming the field) unless it has the declared format. */
    public String requireFormat(String field, String value) {
        if (CONTROL.matcher(value).find()) {
            throw ApiException.badRequest(field, field + " must not contain control characters");
        }
        Pattern pattern = formats.get(field);
        if (pattern != null && !pattern.matcher(value).matches()) {
            throw ApiException.badRequest(field, field + " must match " + pattern.pattern());
        }
        return value;
    }

    /** The fields that identify an account (its fingerprint), in the order declared. */
    public List<String> identityFields() {
        return List.of(identity.split("\\s*,\\s*")).stream().filter(f -> !f.isBlank()).toList();
    }

    public boolean is(String field, String kind) {
        return kinds(field).contains(kind);
    }

    public List<String> secretFields() {
        return credentials.keySet().stream().filter(f -> is(f, "secret")).toList();
    }

    /**
     * The lifecycle status a provider status maps to, or null for one not declared and not itself one of
     * {@link #REPORTED}. Compared by letters and digits
     * only, case-insensitive: {@code NO ANSWER}, {@code no-answer} and {@code noAnswer} are one status (Camel's
     * bean binding turns a declared {@code in-progress} into {@code inProgress}).
     */
    public String lifecycleStatus(String providerStatus) {
        String wanted = comparable(providerStatus);
        for (Map.Entry<String, String> entry : statuses.entrySet()) {
            if (comparable(entry.getKey()).equals(wanted)) {
                return entry.getValue();
            }
        }
        // a provider's word that names one of the statuses it may report means that status unless declared otherwise
        return REPORTED.stream().filter(status -> comparable(status).equals(wanted)).findFirst().orElse(null);
    }

    private static String comparable(String status) {
        return status == null ? "" : status.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /** A declaration the service cannot use is refused with what is wrong, before any account relies on it. */
    public void check() {
        if (provider == null || provider.isBlank()) {
            throw new IllegalArgumentException("a provider adapter needs a provider name");
        }
        if (credentials.isEmpty()) {
            throw new IllegalArgumentException("provider adapter " + provider + " declares no credentials");
        }
        credentials.keySet().forEach(this::kinds);
        causes.forEach((code, outcome) -> {
            if (!OUTCOMES.contains(outcome)) {
                throw new IllegalArgumentException("provider adapter " + provider + ": cause " + code + " maps to '"
                        + outcome + "', not one of " + OUTCOMES);
            }
        });
        machineVerdicts.forEach((word, verdict) -> {
            if (!VERDICTS.contains(verdict)) {
                throw new IllegalArgumentException("provider adapter " + provider + ": machine verdict " + word
                        + " maps to '" + verdict + "', not one of " + VERDICTS);
            }
        });
        Map<String, Pattern> compiled = new LinkedHashMap<>();
        patterns.forEach((field, regex) -> {
            if (!credentials.containsKey(field)) {
                throw new IllegalArgumentException("provider adapter " + provider + ": pattern of " + field
                        + ", which is not one of its credentials");
            }
            try {
                compiled.put(field, Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("provider adapter " + provider + ": pattern of " + field
                        + " is not a regular expression: " + e.getDescription());
            }
        });
        formats = compiled;
        statuses.forEach((word, status) -> {
            if (!REPORTED.contains(status)) {
                throw new IllegalArgumentException("provider adapter " + provider + ": status " + word + " maps to "
                        + status + ", which is not one of " + REPORTED);
            }
        });
        for (String field : identityFields()) {
            if (!credentials.containsKey(field)) {
                throw new IllegalArgumentException("provider adapter " + provider + ": identity field " + field
                        + " is not one of its credentials");
            }
        }
    }

    private Set<String> kinds(String field) {
        String declared = credentials.get(field);
        Set<String> kinds = Set.of((declared == null || declared.isBlank() ? "text" : declared.trim())
                .toLowerCase(Locale.ROOT).split("[\\s,]+"));
        for (String kind : kinds) {
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("provider adapter " + provider + ": credential " + field
                        + " has unknown kind '" + kind + "' (kinds: " + KINDS + ")");
            }
        }
        return kinds;
    }

    @Override
    public String toString() {
        return "ProviderAdapter[" + provider + ", credentials=" + credentials.keySet() + "]";
    }
}

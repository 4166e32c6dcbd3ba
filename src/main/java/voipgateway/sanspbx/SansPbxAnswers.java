package voipgateway.sanspbx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import voipgateway.api.InvalidCredentialsException;
import voipgateway.api.Json;
import voipgateway.api.ProviderRefusedException;
import voipgateway.providers.ProviderAccount;
import voipgateway.providers.ProviderAnswers;

/**
 * Reads SansPBX's answers. Anything but {@code "status": "success"} is a refusal: the client is told what failed and
 * the HTTP status; the provider's own message (masked) is kept for diagnosis.
 */
public class SansPbxAnswers {

    private static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final ZoneId accountZone;
    private final Duration refreshMargin;
    private final Duration unknownExpiryTtl;
    private final Clock clock;

    public SansPbxAnswers(ZoneId accountZone, Duration refreshMargin, Duration unknownExpiryTtl, Clock clock) {
        this.accountZone = accountZone;
        this.refreshMargin = refreshMargin;
        this.unknownExpiryTtl = unknownExpiryTtl;
        this.clock = clock;
    }

    /** gentoken: {"status": "success", "Apitoken": "...", "expiry_time": "yyyy-MM-dd HH:mm:ss"}. */
    public SansPbxToken token(@Body String body, @Header(Exchange.HTTP_RESPONSE_CODE) Integer status,
            @ExchangeProperty("account") ProviderAccount account,
            @ExchangeProperty("checkingCredentials") Boolean checkingCredentials) {
        JsonNode json;
        try {
            json = successOrRefuse(body, status, account, "Token generation error");
        } catch (ProviderRefusedException refused) {
            throw Boolean.TRUE.equals(checkingCredentials) ? new InvalidCredentialsException(refused) : refused;
        }
        String apiToken = json.path("Apitoken").asText("");
        if (apiToken.isBlank()) {
            throw account.refusal("Token generation error: the answer carried no Apitoken", 0, null);
        }
        String expiryTime = json.path("expiry_time").asText("");
        return new SansPbxToken(apiToken, expiryTime, refreshAt(expiryTime));
    }

    /** dialcall: the call id as call_id, callid, data.callid or msg.callid, depending on the PBX version. */
    public String callId(@Body String body, @Header(Exchange.HTTP_RESPONSE_CODE) Integer status,
            @ExchangeProperty("account") ProviderAccount account) {
        JsonNode json = successOrRefuse(body, status, account, "Dial call failed");
        for (JsonNode candidate : new JsonNode[] {json.get("call_id"), json.get("callid"),
                json.path("data").get("callid"), json.path("msg").get("callid")}) {
            if (candidate != null && candidate.isValueNode() && ProviderAnswers.isCallId(candidate.asText())) {
                return candidate.asText();
            }
        }
        throw account.refusal("Dial call failed: the answer carried no call id", 0, null);
    }

    /** calldisconnect: {"status": "success"}; anything else is a refusal. */
    public void disconnected(@Body String body, @Header(Exchange.HTTP_RESPONSE_CODE) Integer status,
            @ExchangeProperty("account") ProviderAccount account) {
        successOrRefuse(body, status, account, "Hang-up failed");
    }

    private JsonNode successOrRefuse(String body, Integer status, ProviderAccount account, String what) {
        int code = status == null ? 0 : status;
        JsonNode json = parse(body);
        if (code < 200 || code > 299) {
            throw account.refusal(what, code, message(json));
        }
        if (json == null) {
            throw account.refusal(what + ": the answer is not JSON", code, null);
        }
        if (!"success".equalsIgnoreCase(json.path("status").asText())) {
            String said = message(json);
            throw account.refusal(what + ": the answer's status is not success", code, "status '"
                    + json.path("status").asText() + "'" + (said == null ? "" : ", " + said));
        }
        return json;
    }

    private Instant refreshAt(String expiryTime) {
        try {
            return LocalDateTime.parse(expiryTime, EXPIRY).atZone(accountZone).toInstant().minus(refreshMargin);
        } catch (DateTimeParseException e) {
            return clock.instant().plus(unknownExpiryTtl);
        }
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = body == null ? null : Json.MAPPER.readTree(body);
            return json != null && json.isObject() ? json : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The provider's own message, if it gave one (masked by the refusal it goes into). */
    private static String message(JsonNode json) {
        if (json == null) {
            return null;
        }
        for (String field : new String[] {"message", "msg", "error"}) {
            JsonNode node = json.get(field);
            if (node != null && node.isTextual() && !node.asText().isBlank()) {
                return node.asText();
            }
        }
        return null;
    }
}

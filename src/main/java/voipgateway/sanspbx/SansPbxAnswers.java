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

/**
 * Reads SansPBX's answers. Anything but {@code "status": "success"} is a refusal, reported with the provider's
 * own message (with the account's secrets masked, should the PBX echo them back).
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
            json = successOrRefuse(body, status, account, "Token generation error", "Token generation error: HTTP ");
        } catch (ProviderRefusedException refused) {
            throw Boolean.TRUE.equals(checkingCredentials) ? new InvalidCredentialsException(refused.getMessage())
                    : refused;
        }
        String apiToken = json.path("Apitoken").asText("");
        if (apiToken.isBlank()) {
            throw refuse("Token generation error: the answer carried no Apitoken");
        }
        String expiryTime = json.path("expiry_time").asText("");
        return new SansPbxToken(apiToken, expiryTime, refreshAt(expiryTime));
    }

    /** dialcall: the call id as call_id, callid, data.callid or msg.callid, depending on the PBX version. */
    public String callId(@Body String body, @Header(Exchange.HTTP_RESPONSE_CODE) Integer status,
            @ExchangeProperty("account") ProviderAccount account) {
        JsonNode json = successOrRefuse(body, status, account, "Dial call failed", "Dial call failed with status ");
        for (JsonNode candidate : new JsonNode[] {json.get("call_id"), json.get("callid"),
                json.path("data").get("callid"), json.path("msg").get("callid")}) {
            if (candidate != null && candidate.isValueNode() && !candidate.asText().isBlank()) {
                return candidate.asText();
            }
        }
        throw refuse("Dial call failed: the answer carried no call id");
    }

    /** calldisconnect: {"status": "success"}; anything else is a refusal. */
    public void disconnected(@Body String body, @Header(Exchange.HTTP_RESPONSE_CODE) Integer status,
            @ExchangeProperty("account") ProviderAccount account) {
        successOrRefuse(body, status, account, "Hang-up failed", "Hang-up failed with status ");
    }

    private JsonNode successOrRefuse(String body, Integer status, ProviderAccount account, String what,
            String httpFailure) {
        int code = status == null ? 0 : status;
        if (code < 200 || code > 299) {
            throw refuse(httpFailure + code + message(parse(body), account));
        }
        JsonNode json = parse(body);
        if (json == null) {
            throw refuse(what + ": the answer is not JSON");
        }
        if (!"success".equalsIgnoreCase(json.path("status").asText())) {
            throw refuse(what + ": provider answered status '" + mask(json.path("status").asText(), account) + "'"
                    + message(json, account));
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

    private static String message(JsonNode json, ProviderAccount account) {
        if (json == null) {
            return "";
        }
        for (String field : new String[] {"message", "msg", "error"}) {
            JsonNode node = json.get(field);
            if (node != null && node.isTextual() && !node.asText().isBlank()) {
                return ": " + mask(node.asText(), account);
            }
        }
        return "";
    }

    /** Provider text is shown to clients and logs: see {@link ProviderAccount#mask}. */
    static String mask(String text, ProviderAccount account) {
        return account.mask(text);
    }

    private static ProviderRefusedException refuse(String message) {
        return new ProviderRefusedException("SansPBX: " + message);
    }
}

package voipgateway.providers;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import voipgateway.api.InvalidCredentialsException;
import voipgateway.api.Json;
import voipgateway.api.ProviderRefusedException;

/**
 * Reads a provider's answer for an adapter route: a 2xx is an acceptance, anything else a refusal naming the
 * provider's HTTP status (its own message, masked, is kept for diagnosis). While an account is being checked
 * (property {@code checkingCredentials}), a refusal means the client's credentials are wrong: 400, not 502.
 */
public class ProviderAnswers {

    /** What a provider's call id may be: it is placed in URLs (a hang-up) and shown to clients. */
    private static final Pattern CALL_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final String[] MESSAGES = {"/message", "/msg", "/error", "/RestException/Message",
        "/error_data/message"};

    /** The answer was a 2xx. */
    public void accepted(@Body String body, @Header(Exchange.HTTP_RESPONSE_CODE) Integer status,
            @ExchangeProperty("account") ProviderAccount account,
            @ExchangeProperty("checkingCredentials") Boolean checking) {
        require(body, status, account, checking);
    }

    public static boolean isCallId(String value) {
        return value != null && CALL_ID.matcher(value).matches();
    }

    /**
     * A 2xx JSON answer's call id at a JSON pointer (e.g. {@code /sid}); missing, or not shaped like an id (letters,
     * digits, {@code ._:-}, at most 128), is a refusal.
     */
    public String text(String pointer, Exchange exchange) {
        ProviderAccount account = exchange.getProperty("account", ProviderAccount.class);
        JsonNode value = require(exchange.getMessage().getBody(String.class),
                exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class), account,
                exchange.getProperty("checkingCredentials", Boolean.class)).at(pointer);
        if (value.isMissingNode() || !value.isValueNode() || !isCallId(value.asText())) {
            throw account.refusal("the answer carried no usable " + pointer, 0, null);
        }
        return value.asText();
    }

    /**
     * A 2xx JSON answer's value at a JSON pointer as text (at most 64 characters), or null when it has none (a price
     * the provider has not set yet); the reader checks its format.
     */
    public String optional(String pointer, Exchange exchange) {
        JsonNode value = require(exchange.getMessage().getBody(String.class),
                exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class),
                exchange.getProperty("account", ProviderAccount.class), false).at(pointer);
        if (!value.isValueNode() || value.isNull()) {
            return null;
        }
        String text = value.asText();
        return text.length() > 64 ? text.substring(0, 64) : text;
    }

    private static JsonNode require(String body, Integer status, ProviderAccount account, Boolean checking) {
        JsonNode json = parse(body);
        int code = status == null ? 0 : status;
        if (code >= 200 && code <= 299) {
            return json;
        }
        String message = null;
        for (String pointer : MESSAGES) {
            JsonNode text = json.at(pointer);
            if (text.isTextual() && !text.asText().isBlank()) {
                message = text.asText();
                break;
            }
        }
        ProviderRefusedException refused = account.refusal("the request was refused", code, message);
        throw Boolean.TRUE.equals(checking) ? new InvalidCredentialsException(refused) : refused;
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
            return json != null ? json : Json.MAPPER.createObjectNode();
        } catch (Exception e) {
            return Json.MAPPER.createObjectNode();
        }
    }
}

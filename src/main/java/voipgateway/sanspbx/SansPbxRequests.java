package voipgateway.sanspbx;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import voipgateway.api.Json;
import voipgateway.providers.ProviderHosts;
import voipgateway.providers.ProviderAccount;
import voipgateway.calls.DialRequest;

/** Builds the SansPBX requests exactly as the integration guide shows them: headers, body, method, URL. */
public class SansPbxRequests {


    private final ProviderHosts hosts;

    public SansPbxRequests(ProviderHosts hosts) {
        this.hosts = hosts;
    }

    /** POST tokenEndpoint, Accesstoken + Basic auth headers, body {"access_key": ...}. */
    public void gentoken(ProviderAccount account, Message message) {
        message.removeHeaders("*");
        message.setHeader("Accesstoken", account.field("accessToken"));
        message.setHeader("Authorization", basicAuth(account.field("username"), account.field("password")));
        post(message, hosts.check(account.field("tokenEndpoint"), "tokenEndpoint"),
                json(Map.of("access_key", account.field("accessKey"))));
    }

    /**
     * POST dialEndpoint, Apitoken header, body {appid (a number), call_to, caller_id, custom_field}; custom_field
     * holds the AI platform's voice webhook as callback_url (when there is one), our status_callback and record_id.
     */
    public void dialcall(@ExchangeProperty("account") ProviderAccount account, @ExchangeProperty("dial") DialRequest dial,
            @ExchangeProperty("apiToken") String apiToken, Message message) {
        Map<String, Object> customField = new LinkedHashMap<>();
        if (dial.voiceUrl() != null) {
            customField.put("callback_url", dial.voiceUrl());
        }
        customField.put("status_callback", dial.statusCallback());
        customField.put("record_id", dial.recordId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("appid", account.number("appId"));
        body.put("call_to", dial.callTo());
        body.put("caller_id", dial.callerId());
        body.put("custom_field", customField);
        message.removeHeaders("*");
        message.setHeader("Apitoken", apiToken);
        post(message, hosts.check(account.field("dialEndpoint"), "dialEndpoint"), json(body));
    }

    /**
     * POST calldisconnect (next to dialcall: the dial endpoint's last path segment replaced), Apitoken header,
     * body {"callid": the provider's call id}.
     */
    public void calldisconnect(@ExchangeProperty("account") ProviderAccount account,
            @ExchangeProperty("providerCallId") String providerCallId, @ExchangeProperty("apiToken") String apiToken,
            Message message) {
        message.removeHeaders("*");
        message.setHeader("Apitoken", apiToken);
        post(message, hosts.check(disconnectEndpoint(account.field("dialEndpoint")), "dialEndpoint"),
                json(Map.of("callid", providerCallId)));
    }

    static String disconnectEndpoint(String dialEndpoint) {
        int query = dialEndpoint.indexOf('?');
        String path = query < 0 ? dialEndpoint : dialEndpoint.substring(0, query);
        return path.substring(0, path.lastIndexOf('/') + 1) + "calldisconnect";
    }

    public static String basicAuth(String username, String password) {
        String pair = username + ":" + password;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static void post(Message message, String url, String body) {
        // the enum camel-http reads (a String would be converted on every request)
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        message.setHeader(Exchange.HTTP_URI, url);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(body);
    }

    private static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a SansPBX request", e);
        }
    }
}

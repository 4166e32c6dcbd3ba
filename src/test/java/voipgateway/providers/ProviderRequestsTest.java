package voipgateway.providers;

import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import voipgateway.api.ApiException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How an adapter's variables become the request: encodings, the headers that go, what is left out. */
class ProviderRequestsTest {

    private final ProviderRequests requests = new ProviderRequests(new ProviderHosts(false, "api.example.com"), null);

    private static Exchange exchange(Map<String, Object> variables) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader("Authorization", "Bearer the client's own key");
        exchange.getMessage().setHeader("X-Forwarded-For", "10.0.0.1");
        variables.forEach(exchange::setVariable);
        return exchange;
    }

    @Test
    void aFormIsEncodedInNameOrderWithRepeatedWordsAndBasicAuthAndNothingElse() {
        Exchange exchange = exchange(Map.of("url", "https://api.example.com/Calls.json",
                "form.To", "+919000000001", "form.Url", "https://voice.example.com/a?b=c&d=e",
                "form.Events[]", "initiated  ringing", "form.Empty", "",
                "basicAuth.username", "AC1", "basicAuth.password", "tok:en", "unrelated", "kept"));

        requests.build(exchange);

        assertEquals("Events=initiated&Events=ringing&To=%2B919000000001&Url=https%3A%2F%2Fvoice.example.com%2Fa%3Fb%3Dc%26d%3De",
                exchange.getMessage().getBody(String.class));
        Map<String, Object> headers = exchange.getMessage().getHeaders();
        assertEquals("Basic QUMxOnRvazplbg==", headers.get("Authorization"));
        assertEquals("application/x-www-form-urlencoded", headers.get(Exchange.CONTENT_TYPE));
        assertEquals("POST", headers.get(Exchange.HTTP_METHOD));
        assertEquals(List.of("Authorization", Exchange.HTTP_METHOD, Exchange.HTTP_URI, Exchange.CONTENT_TYPE),
                headers.keySet().stream().sorted().toList());
        // read once: the exchange's next request starts clean; other variables are not ours to drop
        assertEquals(List.of("unrelated"), List.copyOf(exchange.getVariables().keySet()));
    }

    @Test
    void jsonNestsByDotsKeepsNumbersAndLeavesNullsOut() {
        Exchange exchange = exchange(Map.of("url", "https://api.example.com/dial", "json.appid", 6L,
                "json.call_to", "09000000001", "json.custom_field.record_id", "abc",
                "header.Apitoken", "jwt", "method", "put"));
        exchange.setVariable("json.custom_field.callback_url", null);

        requests.build(exchange);

        assertEquals("{\"appid\":6,\"call_to\":\"09000000001\",\"custom_field\":{\"record_id\":\"abc\"}}",
                exchange.getMessage().getBody(String.class));
        assertEquals("jwt", exchange.getMessage().getHeader("Apitoken"));
        assertNull(exchange.getMessage().getHeader("Authorization"));
        assertEquals("PUT", exchange.getMessage().getHeader(Exchange.HTTP_METHOD));
    }

    @Test
    void aUrlToAnInternalHostOrWithoutHttpsIsRefused() {
        ApiException internal = assertThrows(ApiException.class,
                () -> requests.build(exchange(Map.of("url", "https://169.254.169.254/latest/meta-data"))));
        assertTrue(internal.getMessage().contains("internal address"), internal.getMessage());
        assertThrows(ApiException.class, () -> requests.build(exchange(Map.of("url", "http://api.example.com/x"))));
    }
}

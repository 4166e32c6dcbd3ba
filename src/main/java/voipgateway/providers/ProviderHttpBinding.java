package voipgateway.providers;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.vertx.http.DefaultVertxHttpBinding;
import org.apache.camel.component.vertx.http.VertxHttpEndpoint;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * How a provider request (ProviderRequests: its URL in {@code CamelHttpUri}, which camel-vertx-http would resolve
 * {@code {{...}}} placeholders in, but ProviderHosts passes only URLs {@link URI} accepts: no braces) becomes a Vert.x
 * request, and its answer a message, for camel-vertx-http's {@code vertx-http:provider} endpoint:
 * <ul>
 * <li>TLS follows the URL's scheme. camel-vertx-http builds a URL with a port ({@code https://pbx:8443/...}) from
 * host, port and path, and such a request would go out in plain text, credentials and all.</li>
 * <li>The path and query go out as encoded: for such a URL camel-vertx-http takes the decoded path.</li>
 * <li>The body goes out as ProviderRequests built it: given as text, camel-vertx-http parses a form body and encodes
 * it again (every value encoded twice, repeated names merged into one {@code [a, b]}).</li>
 * <li>A new connection may take {@code connectMillis} (the client's connect timeout: a {@code ConnectException},
 * so the ledger knows the PBX heard nothing); waiting for a connection, pooled or new, at most half as long again
 * ({@link #connectionWaitMillis}), so a refused or silent connect fails as such first; once the request is
 * sent, the provider may stay silent for {@code responseMillis}.</li>
 * <li>Of the answer, only its status ({@code CamelHttpResponseCode}) and body are kept: a provider's headers never
 * reach our messages (nor, through them, our answers); its {@code Retry-After} is kept as property
 * {@code answerRetryAfter}, its {@code Content-Type} as {@code answerContentType}. Nor do the request's own (its credentials among them): the
 * answer comes back on the message the request was built on.</li>
 * </ul>
 */
public class ProviderHttpBinding extends DefaultVertxHttpBinding {

    private final long connectMillis;
    private final long responseMillis;

    public ProviderHttpBinding(long connectMillis, long responseMillis) {
        this.connectMillis = connectMillis;
        this.responseMillis = responseMillis;
    }

    @Override
    public HttpRequest<Buffer> prepareHttpRequest(VertxHttpEndpoint endpoint, Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        URI url = URI.create(message.getHeader(Exchange.HTTP_URI, String.class));
        if (message.getBody() instanceof String text) {
            message.setBody(text.getBytes(StandardCharsets.UTF_8));
        }
        HttpRequest<Buffer> request = super.prepareHttpRequest(endpoint, exchange);
        // as encoded: for a URL with a port camel-vertx-http takes the decoded path, and an escaped '/' in a
        // value (an account id) would become a path separator, an escaped CR/LF a broken request line
        request.uri(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
        return request.ssl("https".equalsIgnoreCase(url.getScheme()))
                .connectTimeout(connectionWaitMillis(connectMillis))
                .idleTimeout(responseMillis);
    }

    /** How long a request may wait for its connection. */
    public static long connectionWaitMillis(long connectMillis) {
        return connectMillis + connectMillis / 2;
    }

    @Override
    public void handleResponse(VertxHttpEndpoint endpoint, Exchange exchange,
            AsyncResult<HttpResponse<Buffer>> response) throws Exception {
        exchange.getMessage().removeHeaders("*");
        super.handleResponse(endpoint, exchange, response);
    }

    @Override
    public void populateResponseHeaders(Exchange exchange, HttpResponse<Buffer> response,
            HeaderFilterStrategy strategy) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, response.statusCode());
        // when to ask again, for who reads it (webhook deliveries); a property, so it never reaches an answer of ours
        exchange.setProperty("answerRetryAfter", response.getHeader("Retry-After"));
        // what a download is (a recording's audio type), for who passes it on
        exchange.setProperty("answerContentType", response.getHeader("Content-Type"));
    }
}

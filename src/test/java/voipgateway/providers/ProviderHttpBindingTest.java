package voipgateway.providers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.vertx.http.VertxHttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider client's binding, through camel-vertx-http against a socket that shows what arrives. */
class ProviderHttpBindingTest {

    private CamelContext camel;
    private ProducerTemplate requests;
    private ServerSocket pbx;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        VertxHttpComponent http = new VertxHttpComponent();
        http.setVertxHttpBinding(new ProviderHttpBinding(2_000, 5_000));
        camel.addComponent("vertx-http", http);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:provider").to("vertx-http:provider?okStatusCodeRange=200-499");
            }
        });
        camel.start();
        requests = camel.createProducerTemplate();
        pbx = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        pbx.close();
        camel.stop();
    }

    private CompletableFuture<Exchange> post(String url) {
        return requests.asyncSend("direct:provider", exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_URI, url);
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
            exchange.getMessage().setHeader("Apitoken", "request-s3cret");
            exchange.getMessage().setBody("{}".getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void anHttpsUrlWithAPortIsSpokenInTls() throws Exception {
        CompletableFuture<Exchange> sent = post("https://127.0.0.1:" + pbx.getLocalPort() + "/dialcall");
        try (Socket connection = pbx.accept()) {
            int first = connection.getInputStream().read();
            assertEquals(0x16, first, "the first byte is a TLS handshake record's, not the request line's ('P')");
        }
        assertFalse(sent.get(30, TimeUnit.SECONDS).getException() == null, "the handshake with a plain socket fails");
    }

    @Test
    void ofTheExchangeOnlyTheAnswersStatusAndBodyAreKept() throws Exception {
        CompletableFuture<Exchange> sent = post("http://127.0.0.1:" + pbx.getLocalPort() + "/dialcall");
        try (Socket connection = pbx.accept()) {
            InputStream in = connection.getInputStream();
            String request = readHead(in);
            assertEquals("POST /dialcall HTTP/1.1", request.lines().findFirst().orElse(""));
            assertTrue(request.contains("Apitoken: request-s3cret"), request);
            String body = "{\"status\":\"success\"}";
            OutputStream out = connection.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: PBXSESSION=s3cret\r\n"
                    + "X-Pbx-Secret: s3cret\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Exchange answered = sent.get(30, TimeUnit.SECONDS);
            assertNull(answered.getException());
            assertEquals(200, answered.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
            assertEquals(body, answered.getMessage().getBody(String.class));
            assertEquals(java.util.Set.of(Exchange.HTTP_RESPONSE_CODE), answered.getMessage().getHeaders().keySet(),
                    "neither the provider's headers nor the request's");
        }
    }

    /** An escaped '/', '..' or CR/LF in a path segment (an account id) reaches the provider still escaped. */
    @Test
    void thePathGoesOutAsEncoded() throws Exception {
        CompletableFuture<Exchange> sent = post("http://127.0.0.1:" + pbx.getLocalPort()
                + "/v1/Accounts/exo3%2F..%2F..%2Fsecret%0D%0AX-Injected:%20yes/Calls.json?a=%2F");
        try (Socket connection = pbx.accept()) {
            String request = readHead(connection.getInputStream());
            assertEquals("POST /v1/Accounts/exo3%2F..%2F..%2Fsecret%0D%0AX-Injected:%20yes/Calls.json?a=%2F HTTP/1.1",
                    request.lines().findFirst().orElse(""));
            assertFalse(request.contains("X-Injected: yes"), request);
        }
        sent.cancel(true);
    }

    /** The request line and headers. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                break;
            }
            head.append((char) next);
        }
        return head.toString();
    }
}

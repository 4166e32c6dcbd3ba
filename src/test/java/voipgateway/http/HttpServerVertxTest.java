package voipgateway.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Vert.x instance the service serves on, against Vert.x alone: what it adds to every server it creates. */
class HttpServerVertxTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Vertx vertx;

    @AfterEach
    void closeVertx() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void serversAnswer503UntilStartedAndUndecodableRequestsWithJson() throws Exception {
        AtomicBoolean started = new AtomicBoolean();
        vertx = HttpServerVertx.create(new VertxOptions(), started::get);
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.response().end("routed"));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        String base = "http://127.0.0.1:" + server.actualPort();

        assertTrue(((HttpServerVertx.Listening) server).listening());
        HttpResponse<String> starting = get(HttpRequest.newBuilder(URI.create(base + "/calls")));
        assertEquals(503, starting.statusCode());
        assertTrue(starting.body().contains("\"starting\""), starting.body());

        started.set(true);
        assertEquals("routed", get(HttpRequest.newBuilder(URI.create(base + "/calls"))).body());
        HttpResponse<String> longLine = get(HttpRequest.newBuilder(URI.create(base + "/" + "a".repeat(10_000))));
        assertEquals(414, longLine.statusCode());
        assertTrue(longLine.body().contains("\"uri_too_long\""), longLine.body());
        HttpResponse<String> bigHeaders = get(HttpRequest.newBuilder(URI.create(base + "/calls"))
                .header("X-Padding", "b".repeat(20_000)));
        assertEquals(431, bigHeaders.statusCode());
        assertTrue(bigHeaders.body().contains("\"headers_too_large\""), bigHeaders.body());
    }

    @Test
    void aServerTellsWhetherItsPortWasBoundInTheFormPlatformHttpListensIn() throws Exception {
        vertx = HttpServerVertx.create(new VertxOptions(), () -> true);
        HttpServer first = vertx.createHttpServer().requestHandler(request -> request.response().end());
        first.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        HttpServer second = vertx.createHttpServer().requestHandler(request -> request.response().end());
        CompletableFuture<Boolean> bound = new CompletableFuture<>();

        // platform-http's form: a handler last (a second server on a taken port of another Vert.x: refused)
        Vertx other = Vertx.vertx();
        try {
            HttpServer taken = other.createHttpServer().requestHandler(request -> request.response().end());
            taken.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            second.listen(taken.actualPort(), "127.0.0.1", result -> bound.complete(result.succeeded()));
            assertFalse(bound.get(30, TimeUnit.SECONDS));
        } finally {
            other.close().toCompletionStage().toCompletableFuture().join();
        }
        assertTrue(((HttpServerVertx.Listening) first).listening());
        assertFalse(((HttpServerVertx.Listening) second).listening());
    }

    private static HttpResponse<String> get(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}

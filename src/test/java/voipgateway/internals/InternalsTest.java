package voipgateway.internals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per use of non-public Camel or Vert.x API, against the dependency itself rather than the whole service:
 * each fails when an upgrade takes away what the workaround relies on.
 */
class InternalsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Vertx vertx;

    @AfterEach
    void closeVertx() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void asyncEngineFindsThePlatformHttpMethodsItReuses() {
        assertDoesNotThrow(() -> Class.forName(AsyncHttpEngine.class.getName(), true,
                AsyncHttpEngine.class.getClassLoader()));
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
    void vertxWorkersAreMadeAsTheLoadNeedsThem() throws Exception {
        vertx = HttpServerVertx.create(new VertxOptions().setWorkerPoolSize(100), () -> true);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        // one task after the other: Vert.x's own fixed pool starts a new thread for each until it has 100
        for (int i = 0; i < 40; i++) {
            vertx.executeBlocking(() -> threads.add(Thread.currentThread().getName()), false)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertTrue(threads.size() <= 2, "worker threads for 40 tasks one after the other: " + threads);
    }

    private static HttpResponse<String> get(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}

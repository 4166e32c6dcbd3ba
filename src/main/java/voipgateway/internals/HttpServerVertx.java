package voipgateway.internals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.BooleanSupplier;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.VertxBuilder;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.TCPServerBase;
import voipgateway.api.HttpFallbackAnswers;

/**
 * The Vert.x instance platform-http builds its HTTP server on (it takes the one bound in the registry). Vert.x
 * answers a request it cannot decode (a request line or headers over its limits) with an empty 414 or 431
 * before any handler runs, and the server's options are not ours to set; this instance hands every HTTP server
 * it creates our handler for those requests, so they are refused with JSON like everything else. And until the
 * service has started ({@code started}) its servers answer every request 503 (HttpFallbackAnswers#starting).
 */
public final class HttpServerVertx {

    private static final long IDLE_WORKER_MILLIS = 60_000;

    private HttpServerVertx() {
    }

    /** A server this instance created: whether it is listening (its port could be bound). */
    public interface Listening {
        boolean listening();
    }

    public static Vertx create(VertxOptions options, BooleanSupplier started) {
        // worker threads made as the load needs them, not all of them by the first few hundred requests
        Vertx vertx = new VertxBuilder(options).executorServiceFactory(new OnDemandWorkers(IDLE_WORKER_MILLIS))
                .init().vertx();
        return (Vertx) Proxy.newProxyInstance(HttpServerVertx.class.getClassLoader(),
                new Class<?>[] {VertxInternal.class}, (proxy, method, args) -> {
                    Object result = invoke(vertx, method, args);
                    if (result instanceof HttpServer server) {
                        server.invalidRequestHandler(HttpFallbackAnswers::invalidRequest);
                        return gated(server, started);
                    }
                    return result;
                });
    }

    /** The server, its request handler answering 503 until the service has started. */
    @SuppressWarnings("unchecked")
    private static HttpServer gated(HttpServer server, BooleanSupplier started) {
        return (HttpServer) Proxy.newProxyInstance(HttpServerVertx.class.getClassLoader(),
                new Class<?>[] {HttpServer.class, Listening.class}, (proxy, method, args) -> {
                    if (method.getName().equals("listening")) {
                        return !(server instanceof TCPServerBase base) || base.isListening();
                    }
                    if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                        Handler<HttpServerRequest> handler = (Handler<HttpServerRequest>) args[0];
                        server.requestHandler(request -> {
                            if (started.getAsBoolean()) {
                                handler.handle(request);
                            } else {
                                HttpFallbackAnswers.starting(request);
                            }
                        });
                        return proxy;
                    }
                    Object result = invoke(server, method, args);
                    return result == server ? proxy : result;
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

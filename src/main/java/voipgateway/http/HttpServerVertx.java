package voipgateway.http;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import voipgateway.api.HttpFallbackAnswers;

/**
 * The Vert.x instance platform-http builds its HTTP server on (it takes the one bound in the registry). Vert.x
 * answers a request it cannot decode (a request line or headers over its limits) with an empty 414 or 431
 * before any handler runs, and the server's options are not ours to set; this instance hands every HTTP server
 * it creates our handler for those requests, so they are refused with JSON like everything else. And until the
 * service has started ({@code started}) its servers answer every request 503 (HttpFallbackAnswers#starting).
 *
 * <p>Public Vert.x API only: JDK proxies of the {@link Vertx} and {@link HttpServer} interfaces.
 */
public final class HttpServerVertx {

    private HttpServerVertx() {
    }

    /** A server this instance created: whether it is listening (its port could be bound). */
    public interface Listening {
        boolean listening();
    }

    public static Vertx create(VertxOptions options, BooleanSupplier started) {
        // its worker pools grow as the load needs (voipgateway.http.OnDemandWorkers, found by Vert.x's service loader)
        Vertx vertx = Vertx.vertx(options);
        return (Vertx) Proxy.newProxyInstance(HttpServerVertx.class.getClassLoader(),
                new Class<?>[] {Vertx.class}, (proxy, method, args) -> {
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
        AtomicBoolean listening = new AtomicBoolean();
        return (HttpServer) Proxy.newProxyInstance(HttpServerVertx.class.getClassLoader(),
                new Class<?>[] {HttpServer.class, Listening.class}, (proxy, method, args) -> {
                    if (method.getName().equals("listening")) {
                        return listening.get();
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
                    if (method.getName().equals("listen")) {
                        return listen(server, proxy, method, args, listening);
                    }
                    Object result = invoke(server, method, args);
                    return result == server ? proxy : result;
                });
    }

    /** listen(...) in either form (a handler last, or a Future answered), noting when the port is bound. */
    @SuppressWarnings("unchecked")
    private static Object listen(HttpServer server, Object proxy, Method method, Object[] args,
            AtomicBoolean listening) throws Throwable {
        if (args != null && args.length > 0 && args[args.length - 1] instanceof Handler<?> handler) {
            Handler<AsyncResult<HttpServer>> then = (Handler<AsyncResult<HttpServer>>) handler;
            args[args.length - 1] = (Handler<AsyncResult<HttpServer>>) bound -> {
                listening.set(bound.succeeded());
                then.handle(bound.succeeded() ? Future.succeededFuture((HttpServer) proxy) : bound);
            };
        }
        Object result = invoke(server, method, args);
        if (result instanceof Future<?> bound) {
            return ((Future<HttpServer>) bound).map(ignored -> {
                listening.set(true);
                return (HttpServer) proxy;
            });
        }
        return result == server ? proxy : result;
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

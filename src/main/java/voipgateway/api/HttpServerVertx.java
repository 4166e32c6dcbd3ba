package voipgateway.api;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.impl.VertxInternal;

/**
 * The Vert.x instance platform-http builds its HTTP server on (it takes the one bound in the registry). Vert.x
 * answers a request it cannot decode (a request line or headers over its limits) with an empty 414 or 431
 * before any handler runs, and the server's options are not ours to set; this instance hands every HTTP server
 * it creates our handler for those requests, so they are refused with JSON like everything else.
 */
public final class HttpServerVertx {

    private HttpServerVertx() {
    }

    public static Vertx create(VertxOptions options) {
        Vertx vertx = Vertx.vertx(options);
        return (Vertx) Proxy.newProxyInstance(HttpServerVertx.class.getClassLoader(),
                new Class<?>[] {VertxInternal.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(vertx, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (result instanceof HttpServer server) {
                        server.invalidRequestHandler(HttpFallbackAnswers::invalidRequest);
                    }
                    return result;
                });
    }
}

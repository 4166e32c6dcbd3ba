package voipgateway.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON answers for what fails in the HTTP server before any route runs: a path nothing serves (404), a body
 * over the size limit (413), and a request the server cannot even read, such as a query or form field that no
 * HTTP header may hold (400), and a request line or headers too long to decode (414, 431). Without this, Vert.x
 * answers those with HTML, an empty body or a bare 500.
 */
public class HttpFallbackAnswers implements ExtendedStartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(HttpFallbackAnswers.class);
    /** A percent-encoded control character (00-1F, 7F) or a raw one. */
    private static final Pattern CONTROL = Pattern.compile("%[01][0-9a-fA-F]|%7[fF]|[\\x00-\\x1f\\x7f]");

    private final int port;
    private final BooleanSupplier reloading;
    private volatile boolean started;

    /** {@code reloading}: whether routes are being replaced now (a path without a route may be back in a moment). */
    public HttpFallbackAnswers(int port, BooleanSupplier reloading) {
        this.port = port;
        this.reloading = reloading;
    }

    /**
     * Whether the routes' handlers are registered (once the context has fully started). Until then the HTTP server,
     * which listens earlier, answers every request 503 with Retry-After
     * ({@link voipgateway.http.HttpServerVertx}), not Vert.x's HTML
     * 404, which a client takes for a final answer (found by the fault runs: dialers gave up on calls a restarting
     * service had been dialling).
     */
    public boolean started() {
        return started;
    }

    /** What a request gets while the service is starting. */
    public static void starting(HttpServerRequest request) {
        request.response().putHeader("Retry-After", "1");
        answer(request.response(), 503, "starting", "the service is starting; try again in a second");
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the routes' own handlers are registered once the context has fully started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            return;
        }
        // control characters in a query would be copied into header maps that refuse them, mid-answer
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String query = ctx.request().query();
            if (query != null && CONTROL.matcher(query).find()) {
                answer(ctx, 400, "bad_request", "the query holds control characters");
            } else {
                ctx.next();
            }
        });
        router.route().last().handler(ctx -> {
            if (reloading.getAsBoolean()) {
                ctx.response().putHeader("Retry-After", "1");
                answer(ctx, 503, "reloading", "routes are being reloaded; try again in a second");
            } else {
                answer(ctx, 404, "not_found", "no such endpoint: " + ctx.request().method() + " "
                        + ctx.normalizedPath());
            }
        });
        router.route().failureHandler(HttpFallbackAnswers::failed);
        started = true;
    }

    private static void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            answer(ctx, 413, "payload_too_large", "the request body is larger than this service accepts");
        } else if (status >= 400 && status < 500) {
            answer(ctx, status, "bad_request", "the request could not be read");
        } else if (ctx.failure() instanceof IllegalArgumentException) {
            // the failure's message quotes the request (secrets and all): only its kind is logged
            LOG.warn("[error] {} {}: unreadable request refused with 400", ctx.request().method(), ctx.normalizedPath());
            answer(ctx, 400, "bad_request", "the request holds characters that its query, form or headers cannot carry");
        } else {
            LOG.error("[error] the HTTP server failed a request", ctx.failure());
            answer(ctx, 500, "internal_error", "unexpected error; it has been logged");
        }
    }

    /**
     * A request Vert.x could not even decode (a request line or headers over its limits) never reaches a route:
     * the server answers it here, and closes the connection as Vert.x's own handler does.
     */
    public static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        // the rest of what was sent cannot be read either: the connection closes once this answer is out
        request.response().putHeader("Connection", "close");
        if (cause instanceof TooLongHttpLineException) {
            answer(request.response(), 414, "uri_too_long", "the request line is longer than this service accepts");
        } else if (cause instanceof TooLongHttpHeaderException) {
            answer(request.response(), 431, "headers_too_large", "the request headers are larger than this service accepts");
        } else {
            answer(request.response(), 400, "bad_request", "the request could not be read as HTTP");
        }
    }

    private static void answer(RoutingContext ctx, int status, String error, String message) {
        answer(ctx.response(), status, error, message);
    }

    private static void answer(HttpServerResponse response, int status, String error, String message) {
        if (response.ended()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.encode(body));
    }
}

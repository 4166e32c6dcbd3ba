package voipgateway.http;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.jsse.SSLContextParameters;
import voipgateway.api.HttpFallbackAnswers;
import voipgateway.api.OutgoingHeaders;
import voipgateway.config.Ports;
import voipgateway.config.Settings;
import voipgateway.internals.AsyncHttpEngine;

/**
 * The HTTP side of the service, from its settings (PORT, VOIP_MANAGEMENT_PORT, voip.tls.*, voip.http-worker-threads,
 * public.base.url): the Vert.x instance platform-http serves on, its engine, JSON answers for what fails before any
 * route runs, TLS, and the headers an answer may carry. Its ports are checked free when it is made, before
 * anything starts.
 */
public final class HttpConfiguration {

    private final int port;
    private final int workers;
    private final String publicBaseUrl;
    private final SSLContextParameters tls;

    public HttpConfiguration(Settings settings) {
        port = settings.port("camel.server.port", 0);
        workers = (int) settings.whole("voip.http-worker-threads", 1, 4_000);
        publicBaseUrl = settings.url("public.base.url");
        Ports.requireFree(settings.text("camel.server.host", "0.0.0.0"), port, "PORT");
        // GET /metrics is served on a port of its own (camel.management.*), on loopback unless configured
        Ports.requireFree(settings.text("voip.management-host", "127.0.0.1"), settings.port("voip.management-port", 0),
                "VOIP_MANAGEMENT_PORT");
        // HTTPS when voip.tls.* give a keystore or PEM files (platform-http takes Camel's global TLS settings)
        tls = ServerTls.from(settings);
    }

    /** Where clients and providers reach the service (public.base.url). */
    public String publicBaseUrl() {
        return publicBaseUrl;
    }

    /** The API's port (0: any free one). */
    public int port() {
        return port;
    }

    /**
     * Binds what platform-http finds in the registry; {@code reloading}: whether routes are being replaced now. The
     * Vert.x instance is answered: provider requests' slow parts run on its workers too.
     */
    public Vertx bind(CamelContext context, BooleanSupplier reloading) throws Exception {
        if (tls != null) {
            context.setSSLContextParameters(tls);
        }
        HttpFallbackAnswers fallbackAnswers = new HttpFallbackAnswers(port, reloading);
        context.addStartupListener(fallbackAnswers);
        // a request's route runs on a worker thread (MongoDB blocks it); waiting for a provider it holds none
        Vertx vertx = HttpServerVertx.create(new VertxOptions().setWorkerPoolSize(workers), fallbackAnswers::started);
        context.getRegistry().bind("vertx", vertx);
        // platform-http's engine (found under this name): a request waiting for its provider holds no worker
        context.getRegistry().bind("platform-http-engine", new AsyncHttpEngine(context));
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                // bound here, so platform-http leaves closing it to us
                vertx.close();
            }
        });
        // an answer carries only headers we chose (application.properties sets this on platform-http)
        context.getRegistry().bind("httpAnswerHeaders", new OutgoingHeaders(new HttpHeaderFilterStrategy(),
                "Content-Type", "Retry-After", "Content-Disposition", "Cache-Control"));
        describeServer(context, publicBaseUrl);
        return vertx;
    }

    /** The OpenAPI document (/openapi.json) names the service where its clients reach it: public.base.url. */
    private static void describeServer(CamelContext context, String publicBaseUrl) {
        URI base = URI.create(publicBaseUrl);
        Map<String, Object> api = new HashMap<>();
        if (context.getRestConfiguration().getApiProperties() != null) {
            api.putAll(context.getRestConfiguration().getApiProperties());
        }
        api.put("schemes", base.getScheme());
        api.put("host", base.getRawAuthority());
        api.put("base.path", base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath());
        context.getRestConfiguration().setApiProperties(api);
    }
}

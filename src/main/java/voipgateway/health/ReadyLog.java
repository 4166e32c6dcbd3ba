package voipgateway.health;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.health.HealthCheckHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.http.HttpServerVertx;

/** Once everything has started: "ready" only when GET /health would say so, else what is down. */
public class ReadyLog implements ExtendedStartupListener {

    private static final Logger LOG = LoggerFactory.getLogger("voipgateway.Application");

    private final String port;
    private final boolean demo;
    private final String routeFiles;

    /** {@code routeFiles}: where the YAML routes are read from (camel.main.routes-include-pattern). */
    public ReadyLog(int port, boolean demo, String routeFiles) {
        this.port = Integer.toString(port);
        this.demo = demo;
        this.routeFiles = routeFiles;
    }

    /**
     * No routes found (started outside its directory, routes/ a symbolic link, a wrong pattern) would be a service
     * that answers 404 to everything, /health included: a refusal to start instead.
     */
    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        if (context.getRoute("place-outbound-call") == null) {
            throw new IllegalStateException("no routes were loaded from " + routeFiles + " (start the service in the"
                    + " directory that holds routes/, a directory rather than a link; routes: "
                    + context.getRoutes().size() + ")");
        }
        // platform-http only logs a port it could not bind and starts anyway (taken since the start-up probe, e.g.
        // by the embedded broker on the same port): a service that is not listening refuses to start
        VertxPlatformHttpServer http = context.hasService(VertxPlatformHttpServer.class);
        if (http != null && http.getServer() instanceof HttpServerVertx.Listening server && !server.listening()) {
            throw new IllegalStateException("port " + port + " is already in use: set PORT to a free port");
        }
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        // consumers connect in the background: a few seconds to get there before saying what is down
        String down = HealthReport.downParts(HealthCheckHelper.invokeReadiness(context));
        for (int wait = 0; !down.isEmpty() && wait < 25; wait++) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            down = HealthReport.downParts(HealthCheckHelper.invokeReadiness(context));
        }
        if (down.isEmpty()) {
            LOG.info("voip-gateway ready on port {}{}", port,
                    demo ? " (DEMO MODE: SansPBX simulator under /simulator/sanspbx)" : "");
        } else {
            LOG.warn("voip-gateway started on port {} but is NOT READY: {} (GET /health tells when it is)", port, down);
        }
    }
}

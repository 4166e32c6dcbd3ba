package voipgateway.health;

import java.util.List;
import java.util.Map;

import org.apache.camel.Route;
import org.apache.camel.component.jms.JmsConsumer;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.springframework.jms.listener.AbstractMessageListenerContainer;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

/**
 * A queue consumer (call requests, the shared queue's and each tenant's: routes {@code <routeId>} and
 * {@code <routeId>-<tenant>}; deferred status callbacks) is connected: its JMS listener is running, not trying to
 * reconnect, and has consumers on the queue, which the answer names; a route not meant to run (autoStartup false) is
 * left out. Camel's consumers check does not see a JMS listener that lost its broker and retries forever (nor one
 * whose sessions the broker refuses). Another endpoint (Kafka, ...) is left to Camel's own consumers check.
 */
public class QueueConsumerHealthCheck extends ReadinessCheck {

    private final String routeId;
    private final String what;

    /** @param what the consumer's name in the health answer, e.g. "call-request" */
    public QueueConsumerHealthCheck(String id, String routeId, String what) {
        super(id);
        this.routeId = routeId;
        this.what = what;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<Route> routes = getCamelContext().getRoutes().stream().filter(r -> r.getRouteId().equals(routeId)
                || r.getRouteId().startsWith(routeId + "-")).toList();
        if (routes.isEmpty()) {
            builder.up().message("no route " + routeId);
            return;
        }
        for (Route route : routes) {
            String down = down(route);
            if (down != null) {
                builder.down().message(down);
                return;
            }
        }
        builder.up();
    }

    /** Why the route's consumer cannot consume, or null: it can, or it is not a JMS one, or not meant to run. */
    private String down(Route route) {
        if (!(route.getConsumer() instanceof JmsConsumer jms) || !route.isAutoStartup()) {
            return null;
        }
        String which = "the " + what + " consumer of queue " + jms.getEndpoint().getDestinationName();
        try {
            AbstractMessageListenerContainer container = jms.getListenerContainer();
            boolean connected = container.isRunning() && (!(container instanceof DefaultMessageListenerContainer dmlc)
                    || (!dmlc.isRecovering() && dmlc.getActiveConsumerCount() > 0));
            return connected ? null : which + " is not connected to the broker";
        } catch (Exception e) {
            return which + " cannot be inspected (" + e.getClass().getSimpleName() + ")";
        }
    }
}

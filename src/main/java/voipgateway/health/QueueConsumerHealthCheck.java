package voipgateway.health;

import java.util.Map;

import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.component.jms.JmsConsumer;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.springframework.jms.listener.AbstractMessageListenerContainer;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

/**
 * A queue consumer (call requests; deferred status callbacks) is connected: its JMS listener is running, not trying
 * to reconnect, and has consumers on the queue. Camel's consumers check does not see a JMS listener that lost its broker and retries
 * forever. Another endpoint (Kafka, ...) is left to Camel's own consumers check.
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
        Route route = getCamelContext().getRoute(routeId);
        Consumer consumer = route == null ? null : route.getConsumer();
        if (!(consumer instanceof JmsConsumer jms)) {
            builder.up().message(route == null ? "no route " + routeId : "not a JMS consumer");
            return;
        }
        try {
            AbstractMessageListenerContainer container = jms.getListenerContainer();
            boolean connected = container.isRunning() && (!(container instanceof DefaultMessageListenerContainer dmlc)
                    || (!dmlc.isRecovering() && dmlc.getActiveConsumerCount() > 0));
            if (connected) {
                builder.up();
            } else {
                builder.down().message("the " + what + " consumer is not connected to the broker");
            }
        } catch (Exception e) {
            builder.down().message("the " + what + " consumer cannot be inspected (" + e.getClass().getSimpleName() + ")");
        }
    }
}

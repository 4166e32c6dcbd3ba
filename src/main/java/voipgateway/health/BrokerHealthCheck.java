package voipgateway.health;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import voipgateway.queue.EmbeddedBroker;

/**
 * The embedded broker is running: Artemis stops itself after a critical I/O error (a full disk, a broken journal)
 * while the process goes on. An external broker is judged by the queue consumer's connection instead.
 */
public class BrokerHealthCheck extends ReadinessCheck {

    private final EmbeddedBroker broker;

    public BrokerHealthCheck(EmbeddedBroker broker) {
        super("broker");
        this.broker = broker;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (broker.server().isActive()) {
            builder.up();
        } else {
            builder.down().message("the embedded broker has stopped (state " + broker.server().getState() + ")");
        }
    }
}

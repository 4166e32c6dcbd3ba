package voipgateway.health;

import org.apache.camel.impl.health.AbstractHealthCheck;

/** A part the service needs to serve (GET /health), not one whose failure should restart the process. */
abstract class ReadinessCheck extends AbstractHealthCheck {

    ReadinessCheck(String id) {
        super("voip-gateway", id);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}

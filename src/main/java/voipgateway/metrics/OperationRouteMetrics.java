package voipgateway.metrics;

import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;

/**
 * Camel's route metrics ({@code camel_exchanges_*}, {@code camel_route_policy_*}) for the routes a request enters
 * by and the operations they name (place-outbound-call, apply-status-event, ...), not for the steps those call
 * (routes of {@code routeConfigurationId: step}): a step's time is part of its caller's, and its own timers and
 * counters cost every call once per step route it passes through (a dial passes through ten: 4 % of the request
 * threads' CPU, measured with JFR).
 */
public class OperationRouteMetrics implements RoutePolicyFactory {

    static final String STEP = "step";

    private final RoutePolicyFactory metrics;

    OperationRouteMetrics(RoutePolicyFactory metrics) {
        this.metrics = metrics;
    }

    /** Puts itself in place of the route metrics camel-main set up ({@code camel.metrics.enable-route-policy}). */
    public static void install(CamelContext context) {
        context.getRoutePolicyFactories().stream()
                .filter(MicrometerRoutePolicyFactory.class::isInstance).findFirst()
                .ifPresent(metrics -> {
                    context.getRoutePolicyFactories().remove(metrics);
                    context.addRoutePolicyFactory(new OperationRouteMetrics(metrics));
                });
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        if (route instanceof RouteDefinition definition && STEP.equals(definition.getRouteConfigurationId())) {
            return null;
        }
        return metrics.createRoutePolicy(context, routeId, route);
    }
}

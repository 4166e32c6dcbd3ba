package voipgateway.routes;

import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Lets a route reload happen between requests, never under one: Camel stops a replaced route's steps even while
 * exchanges that came in through another route are inside them (measured: a call's dial answer lost mid-reload).
 * Every exchange holds the gate from the route it started in until it is done; a reload closes the gate, waits
 * for the exchanges inside to finish (at most {@code drainLimit}), swaps the routes, and opens it again. Requests
 * arriving meanwhile wait at the gate.
 */
public class ReloadGate implements RoutePolicyFactory {

    private final Duration drainLimit;
    private int inside;
    private boolean closed;

    public ReloadGate(Duration drainLimit) {
        this.drainLimit = drainLimit;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        return new RoutePolicySupport() {
            @Override
            public void onExchangeBegin(Route route, Exchange exchange) {
                if (entersHere(route, exchange)) {
                    enter();
                }
            }

            @Override
            public void onExchangeDone(Route route, Exchange exchange) {
                if (entersHere(route, exchange)) {
                    leave();
                }
            }
        };
    }

    /**
     * An exchange that came from outside (HTTP, the queue, a timer) starts here. One started in a direct: route
     * is made by a step of an exchange already inside (the token cache asking gentoken): gating it would hold that
     * exchange, and the drain with it, until the drain limit.
     */
    private static boolean entersHere(Route route, Exchange exchange) {
        return route.getRouteId().equals(exchange.getFromRouteId())
                && !route.getEndpoint().getEndpointUri().startsWith("direct:");
    }

    /** Whether a reload holds the gate closed now. */
    synchronized boolean closed() {
        return closed;
    }

    private synchronized void enter() {
        while (closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        inside++;
    }

    private synchronized void leave() {
        inside--;
        if (inside <= 0) {
            notifyAll();
        }
    }

    /**
     * Runs {@code swap} with no exchange inside (or after the drain limit, with those still inside: answers how
     * many); new exchanges wait until it is done.
     */
    public int whileDrained(Runnable swap) {
        int left;
        synchronized (this) {
            closed = true;
            long deadline = System.nanoTime() + drainLimit.toNanos();
            try {
                while (inside > 0 && System.nanoTime() < deadline) {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            left = inside;
        }
        try {
            swap.run();
        } finally {
            synchronized (this) {
                closed = false;
                notifyAll();
            }
        }
        return left;
    }
}

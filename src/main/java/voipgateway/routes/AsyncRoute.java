package voipgateway.routes;

import java.util.function.Supplier;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.util.function.Suppliers;

/**
 * A route a bean calls without holding its thread while the route waits (a ProducerTemplate would block it until the
 * route is done): {@code done} is called when the exchange has been through the route, on whatever thread finished
 * it. The producer is made at the first call, when the routes have been built.
 */
public final class AsyncRoute {

    private final Supplier<AsyncProducer> producer;

    public AsyncRoute(Endpoint endpoint) {
        this.producer = Suppliers.memorize(() -> {
            try {
                AsyncProducer started = endpoint.createAsyncProducer();
                ServiceHelper.startService(started);
                return started;
            } catch (Exception e) {
                throw RuntimeCamelException.wrapRuntimeCamelException(e);
            }
        });
    }

    public void send(Exchange exchange, AsyncCallback done) {
        producer.get().process(exchange, done);
    }

    /** A new exchange of the route's context for {@link #send}. */
    public Exchange newExchange() {
        return producer.get().getEndpoint().createExchange();
    }
}

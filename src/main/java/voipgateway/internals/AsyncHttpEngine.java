package voipgateway.internals;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpSupport;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * platform-http's Vert.x engine, but a request holds a worker thread only while its route runs, not while the route
 * waits (for a provider's answer: ProviderBreakers, camel-vertx-http). platform-http-vertx 4.18 runs each request as
 * a blocking {@code process} on a worker, so every call in flight held a thread (about 100 KB of stack each) for as
 * long as its PBX took to answer. Here the route starts on a worker through Camel's asynchronous routing engine; when
 * it waits, the worker is free, and the answer is written when the route's callback says it is done.
 *
 * <p>Everything else is platform-http's own: how the request becomes the message (its {@code processHttpRequest},
 * and {@code populateMultiFormData}: a form's fields as headers and the body's map), how the message becomes the
 * answer ({@code VertxPlatformHttpSupport.writeResponse}), the header filter, the suspended 503. The two that are
 * not open to a subclass are reached by method handles, checked when this class loads.
 */
public class AsyncHttpEngine extends VertxPlatformHttpEngine {

    private static final MethodHandle WRITE_RESPONSE = platformHttp(VertxPlatformHttpSupport.class,
            lookup -> lookup.findStatic(VertxPlatformHttpSupport.class, "writeResponse", MethodType.methodType(
                    Future.class, RoutingContext.class, Exchange.class, HeaderFilterStrategy.class, boolean.class)));
    private static final MethodHandle POPULATE_FORM = platformHttp(VertxPlatformHttpConsumer.class,
            lookup -> lookup.findVirtual(VertxPlatformHttpConsumer.class, "populateMultiFormData", MethodType
                    .methodType(void.class, RoutingContext.class, Message.class, HeaderFilterStrategy.class)));

    public AsyncHttpEngine(CamelContext context) {
        setCamelContext(context);
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new Consumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }

    private interface Find {
        MethodHandle in(MethodHandles.Lookup lookup) throws ReflectiveOperationException;
    }

    private static MethodHandle platformHttp(Class<?> owner, Find find) {
        try {
            return find.in(MethodHandles.privateLookupIn(owner, MethodHandles.lookup()));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("camel-platform-http-vertx changed: " + e);
        }
    }

    static final class Consumer extends VertxPlatformHttpConsumer {

        Consumer(PlatformHttpEndpoint endpoint, Processor processor, List<Handler<RoutingContext>> handlers,
                String routerName) {
            super(endpoint, processor, handlers, routerName);
        }

        @Override
        protected void handleRequest(RoutingContext ctx) {
            if (isSuspended()) {
                ctx.response().setStatusCode(503).end();
                return;
            }
            Context requestContext = ctx.vertx().getOrCreateContext();
            Exchange exchange = createExchange(false);
            exchange.setPattern(ExchangePattern.InOut);
            processHttpRequest(exchange, ctx).onComplete(read -> {
                if (read.failed()) {
                    failed(exchange, ctx, read.cause());
                    return;
                }
                if (getEndpoint().isUseBodyHandler()) {
                    try {
                        POPULATE_FORM.invoke(this, ctx, exchange.getIn(), getEndpoint().getHeaderFilterStrategy());
                    } catch (Throwable e) {
                        failed(exchange, ctx, e);
                        return;
                    }
                }
                ctx.vertx().executeBlocking(() -> {
                    createUoW(exchange);
                    getAsyncProcessor().process(exchange,
                            doneSync -> requestContext.runOnContext(v -> answer(exchange, ctx)));
                    return null;
                }, false).onFailure(failure -> failed(exchange, ctx, failure));
            });
        }

        @SuppressWarnings("unchecked")
        private void answer(Exchange exchange, RoutingContext ctx) {
            Future<Void> written;
            try {
                written = (Future<Void>) WRITE_RESPONSE.invoke(ctx, exchange,
                        getEndpoint().getHeaderFilterStrategy(), getEndpoint().isMuteException());
            } catch (Throwable e) {
                failed(exchange, ctx, e);
                return;
            }
            written.onComplete(done -> {
                if (done.succeeded()) {
                    completed(exchange);
                } else {
                    failed(exchange, ctx, done.cause());
                }
            });
        }

        private void failed(Exchange exchange, RoutingContext ctx, Throwable failure) {
            getExceptionHandler().handleException("Failed handling platform-http endpoint "
                    + getEndpoint().getPath(), failure);
            ctx.fail(failure);
            completed(exchange);
        }

        private void completed(Exchange exchange) {
            doneUoW(exchange);
            releaseExchange(exchange, false);
        }
    }
}

package voipgateway.api;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
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
import org.apache.camel.util.CollectionHelper;

/**
 * platform-http's Vert.x engine, but a request holds a worker thread only while its route runs, not while the route
 * waits (for a provider's answer: ProviderBreakers, camel-vertx-http). platform-http-vertx 4.18 runs each request as
 * a blocking {@code process} on a worker, so every call in flight held a thread (about 100 KB of stack each) for as
 * long as its PBX took to answer. Here the route starts on a worker through Camel's asynchronous routing engine; when
 * it waits, the worker is free, and the answer is written when the route's callback says it is done.
 *
 * <p>Everything else is platform-http's own: how the request becomes the message (its {@code processHttpRequest}),
 * how the message becomes the answer ({@code VertxPlatformHttpSupport.writeResponse}, reached by a method handle as
 * it is package-private: checked when this class loads), the header filter, the suspended 503.
 */
public class AsyncHttpEngine extends VertxPlatformHttpEngine {

    private static final MethodHandle WRITE_RESPONSE = writeResponse();

    public AsyncHttpEngine(CamelContext context) {
        setCamelContext(context);
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new Consumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }

    private static MethodHandle writeResponse() {
        try {
            return MethodHandles.privateLookupIn(VertxPlatformHttpSupport.class, MethodHandles.lookup())
                    .findStatic(VertxPlatformHttpSupport.class, "writeResponse", MethodType.methodType(Future.class,
                            RoutingContext.class, Exchange.class, HeaderFilterStrategy.class, boolean.class));
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
                    putForm(ctx, exchange.getIn());
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

        /** A form's fields as headers (through the header filter) and, as platform-http does, as the body's map. */
        private void putForm(RoutingContext ctx, Message message) {
            String type = ctx.parsedHeaders().contentType().value().toLowerCase(Locale.ROOT);
            if (!type.equals("application/x-www-form-urlencoded") && !type.equals("multipart/form-data")) {
                return;
            }
            HeaderFilterStrategy filter = getEndpoint().getHeaderFilterStrategy();
            MultiMap form = ctx.request().formAttributes();
            Map<String, Object> body = new HashMap<>();
            for (String name : form.names()) {
                for (String value : form.getAll(name)) {
                    if (filter == null || !filter.applyFilterToExternalHeaders(name, value, message.getExchange())) {
                        CollectionHelper.appendEntry(message.getHeaders(), name, value);
                        if (getEndpoint().isPopulateBodyWithForm()) {
                            CollectionHelper.appendEntry(body, name, value);
                        }
                    }
                }
            }
            if (!body.isEmpty()) {
                message.setBody(body);
            }
        }
    }
}

package voipgateway.routes;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gate a route reload closes: it waits for the exchanges inside, holds new ones, and never its own steps'. */
class ReloadGateTest {

    private final ReloadGate gate = new ReloadGate(Duration.ofSeconds(60));
    private final CountDownLatch proceed = new CountDownLatch(1);
    private final AtomicBoolean swapped = new AtomicBoolean();
    private CamelContext context;
    private ProducerTemplate template;

    @BeforeEach
    void start() throws Exception {
        context = new DefaultCamelContext();
        context.addRoutePolicyFactory(gate);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // an entry (as platform-http is) whose step waits, then makes an exchange of its own (as the token
                // cache does with gentoken)
                from("seda:entry").routeId("entry")
                        .process(exchange -> proceed.await(60, TimeUnit.SECONDS))
                        .process(exchange -> exchange.getMessage().setBody(
                                exchange.getContext().createProducerTemplate().requestBody("direct:inner", "x")));
                from("direct:inner").routeId("inner").setBody(constant("inner done"));
            }
        });
        context.start();
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        proceed.countDown();
        context.stop();
    }

    @Test
    void aReloadWaitsForTheExchangeInsideWhichMayMakeExchangesOfItsOwn() throws Exception {
        CompletableFuture<Object> call = template.asyncRequestBody("seda:entry", "call");
        await().atMost(Duration.ofSeconds(30)).until(() -> context.getInflightRepository().size("entry") == 1);

        CompletableFuture<Integer> reload = CompletableFuture.supplyAsync(() -> gate.whileDrained(() -> swapped.set(true)));
        await().atMost(Duration.ofSeconds(30)).until(gate::closed);
        assertFalse(swapped.get(), "no swap while an exchange is inside");
        proceed.countDown();

        assertEquals("inner done", call.get(30, TimeUnit.SECONDS));
        // drained, not timed out: none left inside when the routes were swapped
        assertEquals(0, reload.get(30, TimeUnit.SECONDS));
        assertTrue(swapped.get());
    }
}

package voipgateway.sanspbx;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.AsyncProcessorSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.providers.ProviderAccount;
import voipgateway.routes.AsyncRoute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens asked of gentoken (here a route that counts its requests) once per account, for a bounded number of them,
 * and once for all the callers that want one meanwhile.
 */
class TokenCacheTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private final AtomicInteger gentokens = new AtomicInteger();
    /** While set, gentoken answers only when the test says so. */
    private volatile boolean hold;
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private CamelContext camel;
    private AsyncRoute gentoken;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:gentoken").process(new AsyncProcessorSupport() {
                    @Override
                    public boolean process(Exchange exchange, AsyncCallback callback) {
                        exchange.getMessage().setBody(new SansPbxToken("token-" + gentokens.incrementAndGet(),
                                "2026-11-27 11:00:00", NOW.plusSeconds(3000)));
                        if (!hold) {
                            callback.done(true);
                            return true;
                        }
                        held.add(() -> callback.done(false));
                        return false;
                    }
                });
            }
        });
        camel.start();
        gentoken = new AsyncRoute(camel.getEndpoint("direct:gentoken"));
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private static ProviderAccount account(String id) {
        return new ProviderAccount(id, 1, "sanspbx", "sanspbx", Map.of(), List.of(), ProviderAccount.Limits.NONE);
    }

    @Test
    void anAccountsTokenIsAskedForOnceAndReused() {
        TokenCache cache = new TokenCache(gentoken, Clock.fixed(NOW, ZoneOffset.UTC), 10);
        String first = token(cache, "a");
        assertEquals(first, token(cache, "a"));
        assertEquals(1, gentokens.get());
        token(cache, "b");
        assertEquals(2, gentokens.get(), "another account, its own token");
    }

    @Test
    void tokensAreKeptForAtMostTheBoundOfAccounts() {
        TokenCache cache = new TokenCache(gentoken, Clock.fixed(NOW, ZoneOffset.UTC), 2);
        for (String id : List.of("a", "b", "c")) {
            token(cache, id);
        }
        assertEquals(3, gentokens.get());
        for (String id : List.of("a", "b", "c")) {
            token(cache, id);
        }
        assertTrue(gentokens.get() > 3, "3 accounts' tokens are not all kept under a bound of 2");
    }

    @Test
    void callersWhileGentokenIsAskedShareItsAnswer() throws Exception {
        TokenCache cache = new TokenCache(gentoken, Clock.fixed(NOW, ZoneOffset.UTC), 10);
        hold = true;
        CompletableFuture<String> first = cache.tokenFor(account("a")).toCompletableFuture();
        CompletableFuture<String> second = cache.tokenFor(account("a")).toCompletableFuture();
        assertFalse(first.isDone() || second.isDone(), "gentoken has not answered yet");
        assertEquals(1, gentokens.get(), "one request for both callers");

        held.forEach(Runnable::run);
        assertEquals("token-1", first.get(10, TimeUnit.SECONDS));
        assertEquals("token-1", second.get(10, TimeUnit.SECONDS));
        assertEquals("token-1", token(cache, "a"), "kept for the next caller");
        assertEquals(1, gentokens.get());
    }

    private static String token(TokenCache cache, String account) {
        return cache.tokenFor(account(account)).toCompletableFuture().join();
    }
}

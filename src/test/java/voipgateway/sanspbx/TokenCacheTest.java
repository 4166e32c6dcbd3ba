package voipgateway.sanspbx;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.providers.ProviderAccount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens asked of gentoken (here a route that counts its requests) once per account, for a bounded number of them. */
class TokenCacheTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private final AtomicInteger gentokens = new AtomicInteger();
    private CamelContext camel;
    private ProducerTemplate producer;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:gentoken").process(exchange -> exchange.getMessage().setBody(new SansPbxToken(
                        "token-" + gentokens.incrementAndGet(), "2026-11-27 11:00:00", NOW.plusSeconds(3000))));
            }
        });
        camel.start();
        producer = camel.createProducerTemplate();
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
        TokenCache cache = new TokenCache(producer, "direct:gentoken", Clock.fixed(NOW, ZoneOffset.UTC), 10);
        String first = cache.tokenFor(account("a"));
        assertEquals(first, cache.tokenFor(account("a")));
        assertEquals(1, gentokens.get());
        cache.tokenFor(account("b"));
        assertEquals(2, gentokens.get(), "another account, its own token");
    }

    @Test
    void tokensAreKeptForAtMostTheBoundOfAccounts() {
        TokenCache cache = new TokenCache(producer, "direct:gentoken", Clock.fixed(NOW, ZoneOffset.UTC), 2);
        for (String id : List.of("a", "b", "c")) {
            cache.tokenFor(account(id));
        }
        assertEquals(3, gentokens.get());
        for (String id : List.of("a", "b", "c")) {
            cache.tokenFor(account(id));
        }
        assertTrue(gentokens.get() > 3, "3 accounts' tokens are not all kept under a bound of 2");
    }
}

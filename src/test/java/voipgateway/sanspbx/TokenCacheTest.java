package voipgateway.sanspbx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.AsyncProcessorSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.crypto.CredentialCipher;
import voipgateway.providers.ProviderAccount;
import voipgateway.routes.AsyncRoute;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens asked of gentoken (here a route that counts its requests) once per account, for a bounded number of them,
 * once for all the callers that want one meanwhile, and once for every instance sharing one MongoDB (a real
 * wire-protocol server on loopback, in memory).
 */
class TokenCacheTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private final AtomicInteger gentokens = new AtomicInteger();
    /** While set, gentoken answers only when the test says so. */
    private volatile boolean hold;
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private CamelContext camel;
    private AsyncRoute gentoken;
    private MongoServer mongoServer;
    private MongoClient mongo;
    private final ExecutorService worker = Executors.newCachedThreadPool();

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
        mongoServer = new MongoServer(new MemoryBackend());
        mongoServer.bind("127.0.0.1", 0);
        mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoServer.getLocalAddress().getPort());
    }

    @AfterEach
    void stop() {
        camel.stop();
        mongo.close();
        mongoServer.shutdownNow();
        worker.shutdownNow();
    }

    /** An instance's cache; every one made in a test shares the same MongoDB collection. */
    private TokenCache cache(long maxAccounts) {
        SharedTokens shared = new SharedTokens(mongo.getDatabase("voip").getCollection("sanspbxtokens"),
                new CredentialCipher("test-encryption-key-0123456789"), Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofSeconds(10));
        return new TokenCache(gentoken, shared, worker, Duration.ofSeconds(10), Clock.fixed(NOW, ZoneOffset.UTC),
                maxAccounts);
    }

    private static ProviderAccount account(String id) {
        return new ProviderAccount(id, 1, "sanspbx", "sanspbx", Map.of(), List.of(), ProviderAccount.Limits.NONE);
    }

    @Test
    void anAccountsTokenIsAskedForOnceAndReused() {
        TokenCache cache = cache(10);
        String first = token(cache, "a");
        assertEquals(first, token(cache, "a"));
        assertEquals(1, gentokens.get());
        token(cache, "b");
        assertEquals(2, gentokens.get(), "another account, its own token");
    }

    @Test
    void tokensDroppedForTheBoundAreReadAgainNotAskedFor() {
        TokenCache cache = cache(2);
        for (String id : List.of("a", "b", "c")) {
            token(cache, id);
        }
        assertEquals(3, gentokens.get());
        for (String id : List.of("a", "b", "c")) {
            assertEquals("token-" + (id.charAt(0) - 'a' + 1), token(cache, id));
        }
        assertEquals(3, gentokens.get(), "the accounts dropped here took their stored tokens");
    }

    @Test
    void instancesSharingMongoDbAskForOneTokenAndARefusalRefreshesItOnceForAll() throws Exception {
        TokenCache one = cache(10);
        TokenCache other = cache(10);
        hold = true;
        CompletableFuture<String> first = one.tokenFor(account("a")).toCompletableFuture();
        CompletableFuture<String> second = other.tokenFor(account("a")).toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
        assertFalse(second.isDone(), "the other instance waits for the refresh under way");
        held.forEach(Runnable::run);
        held.clear();
        assertEquals("token-1", first.get(10, TimeUnit.SECONDS));
        assertEquals("token-1", second.get(10, TimeUnit.SECONDS), "the token the first instance stored");
        assertEquals(1, gentokens.get());

        hold = false;
        one.reject(account("a"), "token-1");
        other.reject(account("a"), "token-1");
        assertEquals("token-2", token(other, "a"));
        assertEquals("token-2", token(one, "a"));
        assertEquals(2, gentokens.get(), "one refresh for both instances");
        assertTrue(mongo.getDatabase("voip").getCollection("sanspbxtokens").find().first().toJson()
                .contains("v2:"), "stored encrypted");
        assertFalse(mongo.getDatabase("voip").getCollection("sanspbxtokens").find().first().toJson()
                .contains("token-2"));
    }

    @Test
    void callersWhileGentokenIsAskedShareItsAnswer() throws Exception {
        TokenCache cache = cache(10);
        hold = true;
        CompletableFuture<String> first = cache.tokenFor(account("a")).toCompletableFuture();
        CompletableFuture<String> second = cache.tokenFor(account("a")).toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
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

package voipgateway.sanspbx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Exchange;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.providers.ProviderStore;
import voipgateway.providers.ProviderAccount;
import voipgateway.routes.AsyncRoute;

/**
 * SansPBX tokens, one per provider account, reused until shortly before they expire, and shared by every instance
 * through {@link SharedTokens}: a call takes the token kept here, else the stored one, else asks gentoken, but only
 * the instance holding the account's refresh lock asks; the others look again for the token it stores. Concurrent
 * calls of one account in this instance share one such refresh. Waiting for it holds no thread: the route's bean
 * step goes on when the returned stage completes, and the MongoDB work of a refresh runs on the given executor. At
 * most {@code maxAccounts} accounts' tokens are kept here (the accounts used least are dropped first, and read
 * theirs again), so the tokens of changed accounts' earlier versions and of removed accounts do not pile up.
 */
public class TokenCache {

    private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);
    /** How often a call waiting for another instance's refresh looks for its token. */
    private static final long LOOK_AGAIN_MILLIS = 200;

    private final Map<String, SharedTokens.Held> tokens;
    /** The refreshes under way here, by account (its id and version). */
    private final Map<String, CompletableFuture<SharedTokens.Held>> refreshes = new ConcurrentHashMap<>();
    private final AsyncRoute gentoken;
    private final SharedTokens shared;
    private final Executor worker;
    private final Duration longestRefresh;
    private final Clock clock;

    /**
     * @param gentoken       the route that asks the account's PBX for a token (body: the account; answer: the token)
     * @param longestRefresh how long a call waits for another instance's refresh before it fails
     */
    public TokenCache(AsyncRoute gentoken, SharedTokens shared, Executor worker, Duration longestRefresh, Clock clock,
            long maxAccounts) {
        this.gentoken = gentoken;
        this.shared = shared;
        this.worker = worker;
        this.longestRefresh = longestRefresh;
        this.clock = clock;
        this.tokens = Caffeine.newBuilder().maximumSize(maxAccounts)
                // dropped in the thread that went over the bound, not later in a pool's
                .executor(Runnable::run).<String, SharedTokens.Held>build().asMap();
    }

    /** The account's Apitoken: at once when one is kept, else when the account's refresh ends. */
    public CompletionStage<String> tokenFor(@ExchangeProperty("account") ProviderAccount account) {
        String key = account.cacheKey();
        SharedTokens.Held kept = usable(key);
        if (kept != null) {
            return CompletableFuture.completedFuture(kept.token().apiToken());
        }
        CompletableFuture<SharedTokens.Held> mine = new CompletableFuture<>();
        CompletableFuture<SharedTokens.Held> refresh = refreshes.putIfAbsent(key, mine);
        if (refresh == null) {
            refresh = mine;
            Instant giveUpAt = clock.instant().plus(longestRefresh);
            worker.execute(() -> refresh(account, key, mine, giveUpAt));
        }
        return refresh.thenApply(held -> held.token().apiToken());
    }

    private SharedTokens.Held usable(String key) {
        SharedTokens.Held held = tokens.get(key);
        return held != null && held.token().usableAt(clock.instant()) ? held : null;
    }

    /** One look: the token kept here, the stored one, this instance's gentoken, or another look soon. */
    private void refresh(ProviderAccount account, String key, CompletableFuture<SharedTokens.Held> refresh,
            Instant giveUpAt) {
        try {
            SharedTokens.Held held = usable(key);
            if (held == null) {
                held = shared.usable(key);
            }
            if (held != null) {
                finish(key, refresh, held, null);
            } else if (shared.lock(key)) {
                askGentoken(account, key, refresh);
            } else if (clock.instant().isAfter(giveUpAt)) {
                finish(key, refresh, null, new IllegalStateException(
                        "another instance's SansPBX token refresh did not end in " + longestRefresh.toSeconds() + " s"));
            } else {
                CompletableFuture.delayedExecutor(LOOK_AGAIN_MILLIS, TimeUnit.MILLISECONDS, worker)
                        .execute(() -> refresh(account, key, refresh, giveUpAt));
            }
        } catch (RuntimeException e) {
            finish(key, refresh, null, e);
        }
    }

    private void askGentoken(ProviderAccount account, String key, CompletableFuture<SharedTokens.Held> refresh) {
        Exchange exchange = gentoken.newExchange();
        exchange.getMessage().setBody(account);
        gentoken.send(exchange, doneSync -> {
            SansPbxToken token = exchange.getException() == null
                    ? exchange.getMessage().getBody(SansPbxToken.class) : null;
            worker.execute(() -> {
                try {
                    if (token == null) {
                        shared.unlock(key);
                        finish(key, refresh, null, exchange.getException() != null ? exchange.getException()
                                : new IllegalStateException("gentoken answered no token"));
                    } else {
                        finish(key, refresh, shared.store(key, token), null);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("[sanspbx] a token could not be stored for the other instances: {}",
                            e.getClass().getSimpleName());
                    finish(key, refresh, token == null ? null : new SharedTokens.Held(token, -1), e);
                }
            });
        });
    }

    private void finish(String key, CompletableFuture<SharedTokens.Held> refresh, SharedTokens.Held held,
            Throwable failure) {
        if (held != null) {
            tokens.put(key, held);
        }
        refreshes.remove(key, refresh);
        if (held != null) {
            refresh.complete(held);
        } else {
            refresh.completeExceptionally(failure);
        }
    }

    /**
     * The token add-provider's credential check was given, kept for the account as stored (its id and version) and
     * shared: adding an account and placing its first calls cost one gentoken.
     */
    public void keep(@ExchangeProperty("provider") Document provider,
            @ExchangeProperty("checkedToken") SansPbxToken token) {
        if (token == null) {
            // another provider's account: it has no SansPBX token
            return;
        }
        String key = ProviderAccount.cacheKey(provider.getObjectId("_id").toHexString(),
                ProviderStore.versionOf(provider));
        tokens.put(key, shared.store(key, token));
    }

    /**
     * The PBX said the token is no longer valid: dropped here and marked stale for every instance, unless a newer one
     * replaced it already; the next call refreshes it once for all.
     */
    public void reject(@ExchangeProperty("account") ProviderAccount account,
            @ExchangeProperty("apiToken") String apiToken) {
        String key = account.cacheKey();
        SharedTokens.Held held = tokens.get(key);
        if (held != null && held.token().apiToken().equals(apiToken)) {
            tokens.remove(key, held);
            shared.reject(key, held.generation());
        }
    }
}

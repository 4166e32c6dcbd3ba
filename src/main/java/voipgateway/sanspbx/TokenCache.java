package voipgateway.sanspbx;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Exchange;
import org.bson.Document;
import voipgateway.providers.ProviderStore;
import voipgateway.providers.ProviderAccount;
import voipgateway.routes.AsyncRoute;

/**
 * SansPBX tokens, one per provider account, reused until shortly before they expire. Concurrent calls of one
 * account share a single refresh: the first asks gentoken, the others are answered with it. Waiting for it holds
 * no thread (the route's bean step goes on when the returned stage completes). At most {@code maxAccounts}
 * accounts' tokens are kept (the accounts used least are dropped first, and ask gentoken at their next call), so
 * the tokens of changed accounts' earlier versions and of removed accounts do not pile up.
 */
public class TokenCache {

    private final Map<String, SansPbxToken> tokens;
    /** The gentoken requests under way, by account (its id and version). */
    private final Map<String, CompletableFuture<SansPbxToken>> refreshes = new ConcurrentHashMap<>();
    private final AsyncRoute gentoken;
    private final Clock clock;

    /** {@code gentoken}: the route that asks the account's PBX for a token (body: the account; answer: the token). */
    public TokenCache(AsyncRoute gentoken, Clock clock, long maxAccounts) {
        this.gentoken = gentoken;
        this.clock = clock;
        this.tokens = Caffeine.newBuilder().maximumSize(maxAccounts)
                // dropped in the thread that went over the bound, not later in a pool's
                .executor(Runnable::run).<String, SansPbxToken>build().asMap();
    }

    /** The account's Apitoken: at once when one is kept, else when the account's one gentoken request answers. */
    public CompletionStage<String> tokenFor(@ExchangeProperty("account") ProviderAccount account) {
        String key = account.cacheKey();
        SansPbxToken kept = usable(key);
        if (kept != null) {
            return CompletableFuture.completedFuture(kept.apiToken());
        }
        CompletableFuture<SansPbxToken> mine = new CompletableFuture<>();
        CompletableFuture<SansPbxToken> refresh = refreshes.putIfAbsent(key, mine);
        if (refresh == null) {
            refresh = mine;
            refresh(account, key, mine);
        }
        CompletableFuture<String> apiToken = new CompletableFuture<>();
        refresh.whenComplete((token, failure) -> {
            if (failure != null) {
                apiToken.completeExceptionally(failure);
            } else {
                apiToken.complete(token.apiToken());
            }
        });
        return apiToken;
    }

    private SansPbxToken usable(String key) {
        SansPbxToken token = tokens.get(key);
        return token != null && token.usableAt(clock.instant()) ? token : null;
    }

    private void refresh(ProviderAccount account, String key, CompletableFuture<SansPbxToken> refresh) {
        // a refresh that ended between the first look and this one has left its token
        SansPbxToken kept = usable(key);
        if (kept != null) {
            refreshes.remove(key, refresh);
            refresh.complete(kept);
            return;
        }
        Exchange exchange = gentoken.newExchange();
        exchange.getMessage().setBody(account);
        gentoken.send(exchange, doneSync -> {
            SansPbxToken token = exchange.getException() == null
                    ? exchange.getMessage().getBody(SansPbxToken.class) : null;
            if (token != null) {
                tokens.put(key, token);
            }
            refreshes.remove(key, refresh);
            if (token != null) {
                refresh.complete(token);
            } else {
                refresh.completeExceptionally(exchange.getException() != null ? exchange.getException()
                        : new IllegalStateException("gentoken answered no token"));
            }
        });
    }

    /**
     * The token add-provider's credential check was given, kept for the account as stored (its id and version):
     * adding an account and placing its first calls cost one gentoken.
     */
    public void keep(@ExchangeProperty("provider") Document provider,
            @ExchangeProperty("checkedToken") SansPbxToken token) {
        if (token == null) {
            // another provider's account: it has no SansPBX token
            return;
        }
        tokens.put(ProviderAccount.cacheKey(provider.getObjectId("_id").toHexString(),
                ProviderStore.versionOf(provider)), token);
    }

    /** The PBX said the token is no longer valid: drop it, unless another call has already replaced it. */
    public void reject(@ExchangeProperty("account") ProviderAccount account,
            @ExchangeProperty("apiToken") String apiToken) {
        tokens.computeIfPresent(account.cacheKey(), (k, t) -> t.apiToken().equals(apiToken) ? null : t);
    }
}

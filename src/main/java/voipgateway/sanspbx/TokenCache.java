package voipgateway.sanspbx;

import java.time.Clock;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import voipgateway.providers.ProviderStore;
import voipgateway.providers.ProviderAccount;

/**
 * SansPBX tokens, one per provider account, reused until shortly before they expire. Concurrent calls of one
 * account share a single refresh: the first asks gentoken, the others wait for its answer. At most
 * {@code maxAccounts} accounts' tokens are kept (the accounts used least are dropped first, and ask gentoken at
 * their next call), so the tokens of changed accounts' earlier versions and of removed accounts do not pile up.
 */
public class TokenCache {

    private final Map<String, SansPbxToken> tokens;
    /** One lock an account while any thread holds or waits for it; then collected. */
    private final Map<String, Object> refreshLocks = Caffeine.newBuilder().weakValues().<String, Object>build()
            .asMap();
    private final ProducerTemplate gentoken;
    private final String gentokenUri;
    private final Clock clock;

    public TokenCache(ProducerTemplate gentoken, String gentokenUri, Clock clock, long maxAccounts) {
        this.gentoken = gentoken;
        this.gentokenUri = gentokenUri;
        this.clock = clock;
        this.tokens = Caffeine.newBuilder().maximumSize(maxAccounts)
                // dropped in the thread that went over the bound, not later in a pool's
                .executor(Runnable::run).<String, SansPbxToken>build().asMap();
    }

    public String tokenFor(@ExchangeProperty("account") ProviderAccount account) {
        String key = account.cacheKey();
        SansPbxToken token = tokens.get(key);
        if (token != null && token.usableAt(clock.instant())) {
            return token.apiToken();
        }
        synchronized (refreshLocks.computeIfAbsent(key, k -> new Object())) {
            token = tokens.get(key);
            if (token == null || !token.usableAt(clock.instant())) {
                token = gentoken.requestBody(gentokenUri, account, SansPbxToken.class);
                tokens.put(key, token);
            }
            return token.apiToken();
        }
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

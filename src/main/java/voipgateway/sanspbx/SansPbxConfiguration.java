package voipgateway.sanspbx;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.Executor;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import voipgateway.config.Settings;
import voipgateway.crypto.CredentialCipher;
import voipgateway.routes.AsyncRoute;

/** SansPBX's answers and its token cache, from their settings (sanspbx.*). */
public final class SansPbxConfiguration {

    private final ZoneId zone;
    private final Duration tokenMargin;
    private final Duration tokenUnknownExpiry;

    public SansPbxConfiguration(Settings settings) {
        zone = settings.zone("sanspbx.timezone");
        tokenMargin = settings.seconds("sanspbx.token-refresh-margin-seconds", 0, 3_600);
        tokenUnknownExpiry = settings.seconds("sanspbx.token-unknown-expiry-ttl-seconds", 1, 86_400);
    }

    /** The zone SansPBX's times are in (sanspbx.timezone). */
    public ZoneId zone() {
        return zone;
    }

    /**
     * sansPbxAnswers, tokenCache: one token per account for every instance, kept encrypted in MongoDB; a refresh
     * may take one provider request ({@code longestRequest}); {@code worker} is where a refresh's waiters go on.
     */
    public void bind(CamelContext context, MongoDatabase db, CredentialCipher cipher, Clock clock, Executor worker,
            Duration longestRequest, long cacheEntries) {
        Registry registry = context.getRegistry();
        registry.bind("sansPbxAnswers", new SansPbxAnswers(zone, tokenMargin, tokenUnknownExpiry, clock));
        Duration longestTokenRequest = longestRequest.plusSeconds(5);
        registry.bind("tokenCache", new TokenCache(new AsyncRoute(context.getEndpoint("direct:request-sanspbx-token")),
                new SharedTokens(db.getCollection("sanspbxtokens"), cipher, clock, longestTokenRequest),
                worker, longestTokenRequest, clock, cacheEntries));
    }
}

package voipgateway.calls;

import java.time.Clock;
import java.time.Duration;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.bson.Document;
import voipgateway.config.Settings;
import voipgateway.crypto.CredentialCipher;
import voipgateway.storage.Collections;

/** The calls' beans: the dial ledger and every writer of a call, from their settings (voip.dial-claim-seconds, ...). */
public final class CallsConfiguration {

    private final Duration claim;
    private final Duration claimGrace;
    private final String voiceUrl;
    private final String statusCallbackUrl;

    public CallsConfiguration(Settings settings) {
        claim = settings.seconds("voip.dial-claim-seconds", 1, 86_400);
        claimGrace = settings.seconds("voip.claim-grace-seconds", 0, 3_600);
        voiceUrl = settings.url("voip.voice-url");
        statusCallbackUrl = settings.url("voip.status-callback-url");
    }

    /** What the callbacks and the pacing use of the calls. */
    public record Bound(CallbackTokens callbackTokens, ExpiredClaims expiredClaims, CallEvents events) {
    }

    /** callStore, callVersions, hangups, cancellations, dialLedger, expiredClaims, callEvents. */
    public Bound bind(CamelContext context, MongoDatabase db, CredentialCipher cipher, Clock clock, CallEvents events) {
        Registry registry = context.getRegistry();
        MongoCollection<Document> calls = db.getCollection(Collections.CALLS);
        CallbackTokens callbackTokens = new CallbackTokens(cipher);
        CallStore callStore = new CallStore(voiceUrl, statusCallbackUrl, callbackTokens);
        registry.bind("callStore", callStore);
        registry.bind("callEvents", events);
        CallVersions callVersions = new CallVersions(calls, events);
        registry.bind("callVersions", callVersions);
        registry.bind("hangups", new Hangups(clock));
        registry.bind("cancellations", new Cancellations());
        registry.bind("dialLedger", new DialLedger(claim, calls, callVersions, callStore, clock, context, events));
        ExpiredClaims expiredClaims = new ExpiredClaims(claim, claimGrace, clock, calls);
        registry.bind("expiredClaims", expiredClaims);
        return new Bound(callbackTokens, expiredClaims, events);
    }
}

package voipgateway.pacing;

import java.time.Clock;
import java.time.Duration;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import voipgateway.calls.CallsConfiguration;
import voipgateway.calls.ExpiredClaims;
import voipgateway.config.Settings;
import voipgateway.storage.Collections;

/** Pacing, scheduled calls and the sweeper, from their settings (voip.max-call-seconds, voip.pacing.margin-ms, ...). */
public final class PacingConfiguration {

    private final Duration longestCall;
    private final Duration margin;

    public PacingConfiguration(Settings settings) {
        longestCall = settings.seconds("voip.max-call-seconds", 1, 86_400)
                .plus(settings.seconds("voip.call-grace-seconds", 0, 86_400));
        margin = settings.millis("voip.pacing.margin-ms", 0, 1_000);
    }

    /** scheduledCalls, liveCalls, pacing, sweeper. Bound after the storage, so LiveCalls stops first and stores what is pending. */
    public void bind(CamelContext context, MongoDatabase db, CallsConfiguration.Bound calls, Clock clock) throws Exception {
        ExpiredClaims expiredClaims = calls.expiredClaims();
        Registry registry = context.getRegistry();
        registry.bind("scheduledCalls", new ScheduledCalls(clock, calls.events()));
        LiveCalls liveCalls = new LiveCalls(db.getCollection(Collections.LIVE_CALLS));
        context.addService(liveCalls, true, true);
        registry.bind("liveCalls", liveCalls);
        registry.bind("pacing", new Pacing(db, liveCalls, expiredClaims, clock, longestCall, margin));
        registry.bind("sweeper", new Sweeper());
    }
}

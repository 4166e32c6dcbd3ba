package voipgateway.compliance;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.calls.OutboundCallRequest;
import voipgateway.config.Settings;

/** The calling window and the do-not-call lists, from their settings (voip.calling-window.*, voip.callee-time-zone, ...). */
public final class ComplianceConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ComplianceConfiguration.class);

    private final CallingRules defaults;
    private final int dncNumbersInMemory;
    private final NumberSeries numberSeries;

    public ComplianceConfiguration(Settings settings, boolean demo) {
        defaults = callingRules(settings, demo);
        dncNumbersInMemory = (int) settings.whole("voip.dnc-numbers-in-memory", 0, 100_000_000);
        numberSeries = NumberSeries.of(settings);
    }

    /** callingPolicy, doNotCall, doNotCallLists. */
    public void bind(Registry registry, MongoDatabase db, Clock clock, Duration cacheAge, long cacheEntries) {
        registry.bind("callingPolicy", new CallingPolicy(defaults, numberSeries, clock, cacheAge, cacheEntries));
        DoNotCallLists lists = new DoNotCallLists(db, clock, cacheAge, dncNumbersInMemory);
        registry.bind("doNotCallLists", lists);
        registry.bind("doNotCall", new DoNotCall(lists));
    }

    /** The service's calling rules, a tenant's defaults: demo mode has no window unless one is set. */
    private static CallingRules callingRules(Settings settings, boolean demo) {
        Map<String, CallingWindow> windows = new HashMap<>();
        boolean demoWithout = demo && System.getenv("VOIP_CALLING_WINDOW_PROMOTIONAL") == null;
        for (String purpose : OutboundCallRequest.PURPOSES) {
            String key = "voip.calling-window." + purpose;
            try {
                windows.put(purpose, demoWithout ? null : CallingWindow.parse(settings.text(key, "")));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("setting " + key + ": " + e.getMessage());
            }
        }
        if (demoWithout) {
            LOG.warn("DEMO MODE: no calling window (calls ring at any hour); set VOIP_CALLING_WINDOW_PROMOTIONAL"
                    + " (e.g. 09:00-21:00) to try one");
        }
        return new CallingRules(settings.zone("voip.callee-time-zone"), windows, CallingRules.Retries.NONE, false);
    }
}

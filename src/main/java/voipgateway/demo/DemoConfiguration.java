package voipgateway.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;

import org.apache.camel.spi.Registry;
import voipgateway.config.Settings;
import voipgateway.providers.ProviderRequests;

/** Demo mode's SansPBX stand-in, from its settings (simulator.sanspbx.*), and its webhook receiver. */
public final class DemoConfiguration {

    private final String accessToken;
    private final String accessKey;
    private final String basicAuth;
    private final Duration tokenLifetime;
    private final Duration callbackDelay;

    public DemoConfiguration(Settings settings) {
        accessToken = settings.text("simulator.sanspbx.access-token", "");
        accessKey = settings.text("simulator.sanspbx.access-key", "");
        basicAuth = ProviderRequests.basicAuth(settings.text("simulator.sanspbx.username", ""),
                settings.text("simulator.sanspbx.password", ""));
        tokenLifetime = settings.seconds("simulator.sanspbx.token-lifetime-seconds", 1, 86_400);
        callbackDelay = settings.seconds("simulator.sanspbx.callback-delay-seconds", 0, 3_600);
    }

    /**
     * sansPbxSimulator, webhookInbox: bound always (their routes start only in demo mode), so their routes can always
     * be built.
     */
    public void bind(Registry registry, ZoneId sansPbxZone, Clock clock) {
        registry.bind("webhookInbox", new WebhookInbox());
        registry.bind("sansPbxSimulator", new SansPbxSimulator(accessToken, accessKey, basicAuth, tokenLifetime,
                callbackDelay, sansPbxZone, clock));
    }
}

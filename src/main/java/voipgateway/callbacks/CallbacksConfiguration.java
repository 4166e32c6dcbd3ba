package voipgateway.callbacks;

import java.time.ZoneId;

import org.apache.camel.Predicate;
import org.apache.camel.spi.Registry;
import voipgateway.calls.CallbackTokens;
import voipgateway.config.Settings;
import voipgateway.crypto.CredentialCipher;
import voipgateway.providers.ProviderAdapters;

/** The status callbacks' readers, their store and their checks, from their settings (sanspbx.timezone, public.base.url). */
public final class CallbacksConfiguration {

    private final ZoneId sansPbxZone;
    private final String publicBaseUrl;

    public CallbacksConfiguration(Settings settings) {
        sansPbxZone = settings.zone("sanspbx.timezone");
        publicBaseUrl = settings.url("public.base.url");
    }

    /** sansPbxCallbacks, formCallbacks, statusEventStore, deferredCallbacks (and keepableCallback), twilioSignatures. */
    public void bind(Registry registry, ProviderAdapters adapters, CallbackTokens tokens, CredentialCipher cipher) {
        registry.bind("sansPbxCallbacks", new SansPbxCallbacks(sansPbxZone, adapters));
        registry.bind("formCallbacks", new FormCallbacks(adapters));
        registry.bind("statusEventStore", new StatusEventStore(tokens));
        DeferredCallbacks deferredCallbacks = new DeferredCallbacks();
        registry.bind("deferredCallbacks", deferredCallbacks);
        // for onWhen (language "ref": evaluated on the failed exchange itself, not a copy of it)
        registry.bind("keepableCallback", (Predicate) deferredCallbacks::canKeep);
        registry.bind("twilioSignatures", new TwilioSignatures(cipher, publicBaseUrl));
    }
}

package voipgateway.callbacks;

import java.time.ZoneId;

import org.apache.camel.Predicate;
import org.apache.camel.spi.Registry;
import voipgateway.calls.CallbackTokens;
import voipgateway.crypto.CredentialCipher;
import voipgateway.providers.ProviderAdapters;

/** The status callbacks' readers, their store and their checks. */
public final class CallbacksConfiguration {

    private final ZoneId sansPbxZone;
    private final String publicBaseUrl;

    /** {@code sansPbxZone}: the zone SansPBX's times are in; {@code publicBaseUrl}: where providers reach us. */
    public CallbacksConfiguration(ZoneId sansPbxZone, String publicBaseUrl) {
        this.sansPbxZone = sansPbxZone;
        this.publicBaseUrl = publicBaseUrl;
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

package voipgateway.providers;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import voipgateway.api.ApiException;

/**
 * The provider adapters loaded now: the {@link ProviderAdapter} beans of {@code routes/providers/*.yaml} whose
 * dial route runs. Looked up on each use, so an adapter file saved, added or deleted counts at once.
 */
public class ProviderAdapters implements CamelContextAware {

    private CamelContext context;

    public Optional<ProviderAdapter> find(String provider) {
        return live().stream().filter(a -> a.getProvider().equalsIgnoreCase(provider.trim())).findFirst();
    }

    /** The adapter of a provider name a client gave: 400 naming the field and the providers there are. */
    public ProviderAdapter require(String provider, String field) {
        return find(provider).orElseThrow(() -> ApiException.badRequest(field, "provider '"
                + provider.replaceAll("[^A-Za-z0-9 _-]", "?") + "' is not supported; supported: "
                + String.join(", ", live().stream().map(ProviderAdapter::getProvider).toList())));
    }

    /** The adapter of a stored account or call: its file may have been deleted since (503, not a 500). */
    public ProviderAdapter forStored(String provider) {
        return find(provider).orElseThrow(() -> new ApiException(503, "provider_unavailable", null,
                "no provider adapter for " + provider + " is loaded (routes/providers/)"));
    }

    /**
     * Whether an adapter has one of the optional routes ({@code direct:<id>-recording}, {@code direct:<id>-price}):
     * what it offers besides the dial.
     */
    public boolean offers(ProviderAdapter adapter, String route) {
        return context.getRoute(adapter.getId() + "-" + route) != null;
    }

    /** A {@code POST /voip/add-provider} body read against the adapter it names. */
    public ProviderRegistration registration(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType) {
        return ProviderRegistration.parse(body, contentType, this);
    }

    private List<ProviderAdapter> live() {
        return context.getRegistry().findByType(ProviderAdapter.class).stream()
                .filter(a -> a.getProvider() != null && context.getRoute(a.getId() + "-dial") != null)
                .sorted(Comparator.comparing(ProviderAdapter::getProvider)).toList();
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}

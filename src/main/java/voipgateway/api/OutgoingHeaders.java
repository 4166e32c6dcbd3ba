package voipgateway.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * What this service sends out (HTTP answers, queue messages) carries only the headers named here: an allow-list
 * set on the component, so a header some step left on the message (a provider's {@code Set-Cookie}, the
 * {@code Apitoken} sent to it, a caller's own headers) can never leave, whatever the route did. Headers coming
 * in are left to the component's own strategy.
 */
public final class OutgoingHeaders implements HeaderFilterStrategy {

    private final Set<String> allowed;
    private final HeaderFilterStrategy incoming;

    public OutgoingHeaders(HeaderFilterStrategy incoming, String... allowed) {
        this.incoming = incoming;
        this.allowed = Arrays.stream(allowed).map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    /** true = the header stays behind. */
    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        return !allowed.contains(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        return incoming.applyFilterToExternalHeaders(name, value, exchange);
    }
}

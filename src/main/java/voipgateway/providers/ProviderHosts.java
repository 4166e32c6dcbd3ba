package voipgateway.providers;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.ExchangeProperty;
import voipgateway.api.ApiException;

/**
 * Provider endpoints are URLs users give and this service then calls, so they must not reach inside:
 * https only (http where configured, as in demo mode), and no host that resolves to a loopback, private,
 * link-local (cloud metadata) or otherwise internal address unless it is listed in voip.allowed-provider-hosts.
 * Checked when an account is added and again before every provider request (DNS may have changed).
 */
public class ProviderHosts {

    private final boolean allowHttp;
    private final Set<String> allowedHosts;

    public ProviderHosts(boolean allowHttp, String allowedHosts) {
        this.allowHttp = allowHttp;
        this.allowedHosts = Arrays.stream(allowedHosts.split(",")).map(String::trim).filter(h -> !h.isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    /** Every URL an account being added gives (its adapter's {@code url} fields). */
    public void checkRegistration(@ExchangeProperty("registration") ProviderRegistration registration) {
        registration.account().fields().forEach((field, value) -> {
            if (registration.adapter().is(field, "url")) {
                check(value, field);
            }
        });
    }

    /** Refuses the URL with a 400 naming the field, or answers it unchanged. */
    public String check(String url, String field) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw ApiException.badRequest(field, field + " must use https");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (allowedHosts.contains(host)) {
            return url;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw ApiException.badRequest(field, field + " names a host that does not resolve");
        }
        for (InetAddress address : addresses) {
            if (isInternal(address)) {
                throw ApiException.badRequest(field, field + " points at an internal address; only public hosts"
                        + " (or those in voip.allowed-provider-hosts) may be provider endpoints");
            }
        }
        return url;
    }

    static boolean isInternal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        return first == 0 || (first == 100 && second >= 64 && second < 128) // 0/8, carrier-grade NAT 100.64/10
                || (first == 192 && second == 0 && (bytes[2] & 0xff) == 0); // 192.0.0/24 (IETF, incl. some metadata)
    }
}

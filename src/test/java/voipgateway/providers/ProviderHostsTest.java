package voipgateway.providers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import voipgateway.api.ApiException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No server-side request forgery: a provider endpoint must be https and must not point inside. */
class ProviderHostsTest {

    /** As the service runs by default: https only, no host allowed inside. */
    private final ProviderHosts strict = new ProviderHosts(false, "");

    @ParameterizedTest
    @CsvSource({
            "tokenEndpoint, http://203.0.113.10/gentoken, must use https",
            "tokenEndpoint, https://127.0.0.1:8443/gentoken, internal",
            "tokenEndpoint, https://localhost/gentoken, internal",
            "dialEndpoint, https://169.254.169.254/latest/meta-data/, internal",
            "dialEndpoint, https://10.1.2.3/dialcall, internal",
            "dialEndpoint, https://192.168.0.10/dialcall, internal",
            "dialEndpoint, https://100.64.0.1/dialcall, internal",
            "dialEndpoint, https://[::1]/dialcall, internal",
            "dialEndpoint, https://[fd00::1]/dialcall, internal",
            "tokenEndpoint, https://no-such-host.invalid/gentoken, does not resolve"})
    void anInternalOrPlainHttpEndpointIsA400NamingTheField(String field, String url, String reason) {
        ApiException refused = assertThrows(ApiException.class, () -> strict.check(url, field));

        assertEquals(400, refused.status());
        assertEquals(field, refused.field());
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
    }

    @Test
    void aPublicHttpsEndpointPasses() {
        // TEST-NET-3: public, and resolves without DNS
        assertEquals("https://203.0.113.10/dialcall", strict.check("https://203.0.113.10/dialcall", "dialEndpoint"));
    }

    @Test
    void hostsTheOperatorAllowsPassAndHttpOnlyWhereAllowed() {
        ProviderHosts internalPbx = new ProviderHosts(true, "127.0.0.1, pbx.internal");

        assertEquals("http://127.0.0.1:8080/dialcall", internalPbx.check("http://127.0.0.1:8080/dialcall", "dialEndpoint"));
        assertEquals("https://PBX.internal/x", internalPbx.check("https://PBX.internal/x", "dialEndpoint"));
        assertEquals("dialEndpoint", assertThrows(ApiException.class,
                () -> internalPbx.check("https://10.0.0.1/x", "dialEndpoint")).field(), "only the listed hosts");
        assertEquals("dialEndpoint", assertThrows(ApiException.class,
                () -> new ProviderHosts(false, "127.0.0.1").check("http://127.0.0.1/x", "dialEndpoint")).field());
    }
}

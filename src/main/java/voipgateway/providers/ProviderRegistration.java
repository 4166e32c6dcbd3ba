package voipgateway.providers;

import java.util.Set;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;
import voipgateway.numbers.Dids;

/** A validated {@code POST /voip/add-provider} body: the account to store and the DID it brings. */
public record ProviderRegistration(String provider, SansPbxAccount account, String did) {

    public static final String SANSPBX = "SansPBX";

    private static final Set<String> FIELDS = Set.of("provider", "tokenEndpoint", "dialEndpoint", "accessToken",
            "accessKey", "appId", "username", "password", "did");

    public static ProviderRegistration parse(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType) {
        JsonRequest json = JsonRequest.parse(body, contentType, FIELDS);
        String provider = json.text("provider").trim();
        if (!SANSPBX.equalsIgnoreCase(provider)) {
            throw ApiException.badRequest("provider", "provider '" + provider.replaceAll("[^A-Za-z0-9 _-]", "?")
                    + "' is not supported; supported: " + SANSPBX);
        }
        String username = json.text("username");
        if (username.contains(":")) {
            throw ApiException.badRequest("username", "username must not contain ':' (it separates user and password in Basic-auth)");
        }
        SansPbxAccount account = new SansPbxAccount(null, 0, json.url("tokenEndpoint"), json.url("dialEndpoint"),
                json.text("accessToken"), json.text("accessKey"), json.wholeNumber("appId"), username,
                json.text("password"));
        return new ProviderRegistration(SANSPBX, account, Dids.require(json.text("did"), "did"));
    }
}

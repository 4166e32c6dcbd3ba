package voipgateway.providers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adapter contract against the shipped adapters, edits of them that break it, and its page in docs/. */
class AdapterContractTest {

    private static String shipped(String file) throws IOException {
        return Files.readString(Path.of("routes/providers", file));
    }

    @Test
    void theShippedAdaptersKeepTheContract() throws IOException {
        for (String file : new String[] {"sanspbx.yaml", "twilio.yaml", "exotel.yaml", "template.yaml.example"}) {
            AdapterContract.check(file, shipped(file));
        }
    }

    @Test
    void aReadOfAPropertyNeitherDeclaredNorSetIsRefusedWithItsName() throws IOException {
        String reads = shipped("twilio.yaml").replace("${exchangeProperty.dial.e164From()}",
                "${exchangeProperty.tenantId}");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> AdapterContract.check("twilio.yaml", reads));

        assertTrue(refused.getMessage().contains("reads exchange property 'tenantId'"), refused.getMessage());
    }

    @Test
    void aPropertyOfTheAdaptersOwnMayBeReadOnceTheFileSetsIt() throws IOException {
        String sansPbx = shipped("sanspbx.yaml");
        assertTrue(sansPbx.contains("${exchangeProperty.apiToken}"));

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> AdapterContract.check("sanspbx.yaml", sansPbx.replace("name: apiToken", "name: apiTokn")));
        assertTrue(refused.getMessage().contains("'apiToken'"), refused.getMessage());
    }

    @Test
    void aDialRouteMustSetTheProvidersCallIdAndSendItsDialAsADial() throws IOException {
        String exotel = shipped("exotel.yaml");

        IllegalArgumentException noCallId = assertThrows(IllegalArgumentException.class,
                () -> AdapterContract.check("exotel.yaml", exotel.replace("name: providerCallId", "name: callId")));
        assertTrue(noCallId.getMessage().contains("never sets property providerCallId"), noCallId.getMessage());
        IllegalArgumentException plainSend = assertThrows(IllegalArgumentException.class,
                () -> AdapterContract.check("exotel.yaml", exotel.replace("sendDial(", "send(")));
        assertTrue(plainSend.getMessage().contains("providerRequests.sendDial"), plainSend.getMessage());
    }

    @Test
    void theDocsShowTheContractAsDeclared() throws IOException {
        String page = Files.readString(Path.of("docs/provider-adapters.md"));

        assertTrue(page.contains(AdapterContract.markdown()),
                "docs/provider-adapters.md should hold the contract's table as AdapterContract.markdown() renders it:\n"
                        + AdapterContract.markdown());
    }
}

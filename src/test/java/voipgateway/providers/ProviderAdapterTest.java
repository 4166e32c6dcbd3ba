package voipgateway.providers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an adapter's declaration means: kinds of fields, identity, the status mapping. */
class ProviderAdapterTest {

    private static ProviderAdapter adapter(Map<String, String> credentials, String identity) {
        ProviderAdapter adapter = new ProviderAdapter();
        adapter.setProvider("Acme Voice");
        adapter.setCredentials(credentials);
        adapter.setIdentity(identity);
        // as Camel's bean binding hands dashed keys over
        adapter.setStatuses(Map.of("inProgress", "answered", "NOANSWER", "no-answer", "completed", "completed"));
        return adapter;
    }

    @Test
    void kindsIdentityAndTheRoutePrefix() {
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("apiBaseUrl", "url");
        credentials.put("apiKey", "secret");
        credentials.put("region", "text, optional");
        credentials.put("account", "");
        ProviderAdapter adapter = adapter(credentials, "account , apiKey");
        adapter.check();

        assertEquals("acme-voice", adapter.getId());
        assertEquals(List.of("apiKey"), adapter.secretFields());
        assertEquals(List.of("account", "apiKey"), adapter.identityFields());
        assertTrue(adapter.is("region", "optional"));
        assertTrue(adapter.is("account", "text"));
    }

    @Test
    void statusesCompareByLettersAndDigitsOnly() {
        ProviderAdapter adapter = adapter(Map.of("k", "secret"), "k");
        assertEquals("answered", adapter.lifecycleStatus("in-progress"));
        assertEquals("no-answer", adapter.lifecycleStatus("NO ANSWER"));
        assertEquals("no-answer", adapter.lifecycleStatus("no_answer"));
        assertEquals("completed", adapter.lifecycleStatus("Completed"));
        assertNull(adapter.lifecycleStatus("queued"), "neither declared nor one of ours");
    }

    @Test
    void aWordThatIsOneOfOurStatusesMeansItselfUnlessDeclaredOtherwise() {
        ProviderAdapter adapter = adapter(Map.of("k", "secret"), "k");
        adapter.setStatuses(Map.of("ANSWERED", "completed"));

        assertEquals("ringing", adapter.lifecycleStatus("RINGING"));
        assertEquals("no-answer", adapter.lifecycleStatus("NO ANSWER"));
        assertEquals("completed", adapter.lifecycleStatus("answered"), "declared otherwise");
    }

    @Test
    void aDeclarationItCannotUseIsRefusedWithWhatIsWrong() {
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> adapter(Map.of("apiKey", "secrett"), "apiKey").check());
        assertTrue(kind.getMessage().contains("unknown kind 'secrett'"), kind.getMessage());
        IllegalArgumentException identity = assertThrows(IllegalArgumentException.class,
                () -> adapter(Map.of("apiKey", "secret"), "accountSid").check());
        assertTrue(identity.getMessage().contains("identity field accountSid"), identity.getMessage());
        assertThrows(IllegalArgumentException.class, () -> adapter(Map.of(), "").check());
        ProviderAdapter unreported = adapter(Map.of("k", "secret"), "k");
        unreported.setStatuses(Map.of("hungup", "ended"));
        IllegalArgumentException status = assertThrows(IllegalArgumentException.class, unreported::check);
        assertTrue(status.getMessage().contains("status hungup maps to ended"), status.getMessage());
    }
}

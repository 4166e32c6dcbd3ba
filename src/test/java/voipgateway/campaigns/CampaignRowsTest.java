package voipgateway.campaigns;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import voipgateway.api.ApiException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Campaign rows as uploaded: CSV (a header line, quoted fields, blank lines) and JSON, a row at a time. */
class CampaignRowsTest {

    @Test
    void csvRowsCarryTheirLineAndTheOtherColumnsAsVariables() {
        List<CampaignLeads.Row> rows = all(CampaignLeads.fromCsv(csv(
                "\uFEFFtoPhone,leadId,firstName,note\r\n09000000001,L-1,\"Asha, Dr\",\"said \"\"later\"\"\"\n\n"
                        + "09000000002,L-2,,\n")));
        assertEquals(2, rows.size());
        assertEquals(new CampaignLeads.Row(2, "L-1", "09000000001", Map.of("firstName", "Asha, Dr",
                "note", "said \"later\"")), rows.get(0));
        assertEquals(new CampaignLeads.Row(4, "L-2", "09000000002", Map.of()), rows.get(1));
    }

    @Test
    void aCsvWithoutItsColumnsNamedIsRefused() {
        ApiException refused = assertThrows(ApiException.class, () -> CampaignLeads.fromCsv(csv("09000000001,L-1\n")));
        assertEquals("body", refused.field());
    }

    @Test
    void jsonRowsAreNumberedFromOne() throws Exception {
        List<CampaignLeads.Row> rows = all(CampaignLeads.fromJson(new ObjectMapper().readTree(
                "[{\"leadId\": \" L-1 \", \"toPhone\": \"09000000001\", \"variables\": {\"city\": \"Pune\"}},"
                        + " {\"toPhone\": 9000000002}]")));
        assertEquals(new CampaignLeads.Row(1, "L-1", "09000000001", Map.of("city", "Pune")), rows.get(0));
        assertEquals(new CampaignLeads.Row(2, null, "9000000002", Map.of()), rows.get(1));
    }

    private static ByteArrayInputStream csv(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<CampaignLeads.Row> all(Iterator<CampaignLeads.Row> rows) {
        List<CampaignLeads.Row> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        return all;
    }
}

package voipgateway;

import java.time.Instant;
import java.util.Date;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /calls: filtered by agent, status and time, newest first, a page at a time. */
class CallListTest extends GatewayTestSupport {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @BeforeEach
    void storedCalls() {
        ObjectId provider = new ObjectId();
        for (int i = 0; i < 7; i++) {
            db().getCollection("calls").insertOne(new Document("_id", new ObjectId())
                    .append("agentId", i % 2 == 0 ? "agent-a" : "agent-b")
                    .append("leadId", "lead-" + i)
                    .append("userId", "default").append("idempotencyKey", "key-" + i)
                    .append("toPhone", "0900000000" + i)
                    .append("did", DID)
                    .append("provider", "SansPBX")
                    .append("providerId", provider)
                    .append("status", i < 3 ? "completed" : "initiated")
                    .append("statusRank", i < 3 ? 4 : 1)
                    .append("createdAt", Date.from(T0.plusSeconds(60L * i)))
                    .append("updatedAt", Date.from(T0.plusSeconds(60L * i))));
        }
    }

    @Test
    void listsNewestFirstAndPages() throws Exception {
        JsonNode first = send("GET", "/calls?limit=3", null).json();
        assertEquals(3, first.get("items").size());
        assertEquals("lead-6", first.at("/items/0/leadId").asText());
        assertEquals("lead-4", first.at("/items/2/leadId").asText());
        assertTrue(first.get("hasMore").asBoolean());

        JsonNode last = send("GET", "/calls?limit=3&page=3", null).json();
        assertEquals(1, last.get("items").size());
        assertEquals("lead-0", last.at("/items/0/leadId").asText());
        assertFalse(last.get("hasMore").asBoolean());
    }

    @Test
    void filtersByAgentStatusAndTime() throws Exception {
        JsonNode byAgent = send("GET", "/calls?agentId=agent-b", null).json();
        assertEquals(3, byAgent.get("items").size());
        byAgent.get("items").forEach(c -> assertEquals("agent-b", c.get("agentId").asText()));

        JsonNode completed = send("GET", "/calls?status=completed&agentId=agent-a", null).json();
        assertEquals(2, completed.get("items").size());

        JsonNode window = send("GET", "/calls?from=2026-03-01T10:02:00Z&to=2026-03-01T10:04:00Z", null).json();
        assertEquals(2, window.get("items").size());
        assertEquals("lead-3", window.at("/items/0/leadId").asText());
        assertEquals("lead-2", window.at("/items/1/leadId").asText());
    }

    @Test
    void badQueryParametersAre400NamingThem() throws Exception {
        for (String[] bad : new String[][] {{"status=lost", "status"}, {"from=yesterday", "from"},
                {"limit=0", "limit"}, {"limit=1000", "limit"}, {"page=-1", "page"}, {"agentId=%24ne", "agentId"}}) {
            Response response = send("GET", "/calls?" + bad[0], null);
            assertEquals(400, response.status(), bad[0] + " -> " + response.body());
            assertEquals(bad[1], response.json().get("field").asText());
        }
    }
}

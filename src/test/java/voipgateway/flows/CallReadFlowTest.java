package voipgateway.flows;

import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /calls (filtered by agent, status and time, newest first, a page at a time) and GET /calls/{id}, as
 * {@code read-api.yaml} ships them, over calls stored for this tenant and another.
 */
class CallReadFlowTest extends FlowTestSupport {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private ObjectId someCall;
    private ObjectId othersCall;

    @Override
    List<String> routeFiles() {
        return List.of("read-api.yaml");
    }

    @BeforeEach
    void storedCalls() {
        ObjectId provider = new ObjectId();
        for (int i = 0; i < 7; i++) {
            calls.insertOne(storedCall("default", i, provider));
        }
        someCall = calls.find(new Document("leadId", "lead-5")).first().getObjectId("_id");
        Document others = storedCall("tenant-b", 7, provider);
        calls.insertOne(others);
        othersCall = others.getObjectId("_id");
    }

    private static Document storedCall(String tenant, int i, ObjectId provider) {
        return new Document("_id", new ObjectId())
                .append("agentId", i % 2 == 0 ? "agent-a" : "agent-b")
                .append("leadId", "lead-" + i)
                .append("userId", tenant).append("idempotencyKey", "key-" + i)
                .append("toPhone", "0900000000" + i)
                .append("did", "0124-6000001")
                .append("provider", "SansPBX")
                .append("providerId", provider)
                .append("status", i < 3 ? "completed" : "initiated")
                .append("statusRank", i < 3 ? 4 : 1)
                .append("createdAt", Date.from(T0.plusSeconds(60L * i)))
                .append("updatedAt", Date.from(T0.plusSeconds(60L * i)));
    }

    @Test
    void listsNewestFirstAndPages() throws Exception {
        context.start();
        JsonNode first = json(list("limit=3"));
        assertEquals(3, first.get("items").size());
        assertEquals("lead-6", first.at("/items/0/leadId").asText());
        assertEquals("lead-4", first.at("/items/2/leadId").asText());
        assertTrue(first.get("hasMore").asBoolean());

        JsonNode last = json(list("limit=3&page=3"));
        assertEquals(1, last.get("items").size());
        assertEquals("lead-0", last.at("/items/0/leadId").asText());
        assertFalse(last.get("hasMore").asBoolean(), "another tenant's call is not listed");
    }

    @Test
    void filtersByAgentStatusAndTime() throws Exception {
        context.start();
        JsonNode byAgent = json(list("agentId=agent-b"));
        assertEquals(3, byAgent.get("items").size());
        byAgent.get("items").forEach(c -> assertEquals("agent-b", c.get("agentId").asText()));

        assertEquals(2, json(list("status=completed&agentId=agent-a")).get("items").size());

        JsonNode window = json(list("from=2026-03-01T10:02:00Z&to=2026-03-01T10:04:00Z"));
        assertEquals(2, window.get("items").size());
        assertEquals("lead-3", window.at("/items/0/leadId").asText());
        assertEquals("lead-2", window.at("/items/1/leadId").asText());
    }

    @Test
    void badQueryParametersAre400NamingThem() throws Exception {
        context.start();
        for (String[] bad : new String[][] {{"status=lost", "status"}, {"from=yesterday", "from"},
                {"limit=0", "limit"}, {"limit=1000", "limit"}, {"page=-1", "page"}, {"agentId=$ne", "agentId"}}) {
            Exchange answer = list(bad[0]);
            assertEquals(400, status(answer), bad[0] + " -> " + body(answer));
            assertEquals(bad[1], json(answer).get("field").asText());
        }
    }

    @Test
    void aCallIsReadByIdOnlyByItsTenantAndAnythingElseIs404() throws Exception {
        context.start();
        Exchange found = get(someCall.toHexString());
        assertEquals("lead-5", json(found).get("leadId").asText(), body(found));
        assertEquals(someCall.toHexString(), json(found).get("id").asText());

        for (String id : new String[] {othersCall.toHexString(), "5f0000000000000000000000", "not-an-id"}) {
            Exchange missing = get(id);
            assertEquals(404, status(missing), id + " -> " + body(missing));
            assertEquals("not_found", json(missing).get("error").asText());
        }
    }

    /** GET /calls?query: platform-http hands the query's parameters to the route as headers. */
    private Exchange list(String query) {
        return request("direct:list-calls", exchange -> {
            exchange.getMessage().setHeader("Authorization", "Bearer " + API_KEY);
            for (String parameter : query.split("&")) {
                String[] pair = parameter.split("=", 2);
                exchange.getMessage().setHeader(pair[0], pair[1]);
            }
        });
    }

    private Exchange get(String id) {
        return request("direct:get-call", exchange -> {
            exchange.getMessage().setHeader("Authorization", "Bearer " + API_KEY);
            exchange.getMessage().setHeader("id", id);
        });
    }
}

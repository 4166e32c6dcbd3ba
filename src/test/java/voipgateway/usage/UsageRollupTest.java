package voipgateway.usage;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.api.ApiException;
import voipgateway.calls.CallVersions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The days' roll-ups as calls end and are priced, and the report read from them, on a MongoDB over a socket. */
class UsageRollupTest {

    private MongoServer server;
    private MongoClient client;
    private MongoCollection<Document> calls;
    private CallUsage usage;
    private CallPrices prices;
    private UsageReport report;

    @BeforeEach
    void start() {
        server = new MongoServer(H2Backend.inMemory());
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        calls = client.getDatabase("voip").getCollection("calls");
        MongoCollection<Document> days = client.getDatabase("voip").getCollection(CallUsage.COLLECTION);
        usage = new CallUsage(days);
        prices = new CallPrices(new CallVersions(calls), usage);
        report = new UsageReport(days);
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    private Document ended(String tenant, String createdAt, String provider, String agent, String campaign,
            String status, Integer billSeconds, Integer duration) {
        Document call = new Document("_id", new ObjectId()).append("userId", tenant).append("provider", provider)
                .append("agentId", agent).append("status", status).append("statusRank", 4)
                .append("createdAt", Date.from(Instant.parse(createdAt))).append(CallVersions.VERSION, 3);
        if (campaign != null) {
            call.append("campaignId", campaign);
        }
        if (billSeconds != null) {
            call.append("billSeconds", billSeconds);
        }
        if (duration != null) {
            call.append("durationSeconds", duration);
        }
        calls.insertOne(call);
        usage.count(call);
        return call;
    }

    private boolean price(Document call, String amount, String currency) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        prices.report(calls.find(new Document("_id", call.getObjectId("_id"))).first(), amount, currency, exchange);
        return exchange.getProperty("priced", Boolean.class);
    }

    @Test
    void aDaySumsItsCallsInAllAndByGroupAndLatePricesAddWhatTheyChange() {
        Document twilio = ended("t1", "2026-12-01T10:00:00Z", "Twilio", "a1", null, "completed", null, 61);
        ended("t1", "2026-12-01T11:00:00Z", "Twilio", "a2", null, "busy", null, 0);
        ended("t1", "2026-12-01T23:59:59Z", "SansPBX", "a1", "c1", "completed", 30, 31);
        ended("t1", "2026-12-02T00:00:00Z", "SansPBX", "a1", "c1", "no-answer", 0, 0);
        ended("t2", "2026-12-01T10:00:00Z", "Twilio", "a1", null, "completed", null, 600);

        assertEquals(true, price(twilio, "-0.02600", "usd"));
        assertEquals(true, price(twilio, "-0.02600", "USD"), "the same price again: priced, nothing changes");
        assertEquals(true, price(twilio, "-0.03900", "USD"), "revised");
        assertEquals(false, price(twilio, null, "USD"), "none yet");
        assertEquals(false, price(twilio, "free", "USD"));

        Map<String, Object> day = report.report("2026-12-01", "2026-12-01", null, "t1");
        assertEquals(Map.of("calls", 3L, "answered", 2L, "billedSeconds", 91L, "cost", Map.of("USD", "0.039")),
                day.get("total"));
        Map<String, Object> both = report.report("2026-12-01", "2026-12-02", "provider", "t1");
        assertEquals(List.of(Map.of("provider", "SansPBX", "calls", 2L, "answered", 1L, "billedSeconds", 30L, "cost",
                Map.of()), Map.of("provider", "Twilio", "calls", 2L, "answered", 1L, "billedSeconds", 61L, "cost",
                Map.of("USD", "0.039"))), both.get("groups"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> byCampaign = (List<Map<String, Object>>) report.report("2026-12-01", "2026-12-02",
                "campaign", "t1").get("groups");
        assertNull(byCampaign.get(0).get("campaign"), "calls of no campaign");
        assertEquals(2L, byCampaign.get(0).get("calls"));
        assertEquals("c1", byCampaign.get(1).get("campaign"));
        assertEquals(2L, byCampaign.get(1).get("calls"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> byAgent = (List<Map<String, Object>>) report.report("2026-12-01", "2026-12-02",
                "agent", "t1").get("groups");
        assertEquals(List.of("a1", "a2"), byAgent.stream().map(group -> group.get("agent")).toList());
        assertEquals(3L, byAgent.get(0).get("calls"));
        assertEquals(Map.of("calls", 1L, "answered", 1L, "billedSeconds", 600L, "cost", Map.of()),
                report.report("2026-12-01", "2026-12-31", null, "t2").get("total"), "another tenant's own");
    }

    /** A price reported before the end is counted with it, not twice. */
    @Test
    void aPriceBeforeTheEndIsCountedOnceWithIt() {
        Document call = new Document("_id", new ObjectId()).append("userId", "t1").append("provider", "Exotel")
                .append("agentId", "a1").append("status", "answered").append("statusRank", 3)
                .append("createdAt", Date.from(Instant.parse("2026-12-03T09:00:00Z"))).append(CallVersions.VERSION, 1);
        calls.insertOne(call);
        assertEquals(true, price(call, "1.5", "INR"));
        Document priced = calls.find(new Document("_id", call.getObjectId("_id"))).first();
        priced.put("status", "completed");
        usage.count(priced);
        assertEquals(Map.of("INR", "1.5"), ((Map<?, ?>) report.report("2026-12-03", "2026-12-03", null, "t1")
                .get("total")).get("cost"));
    }

    @Test
    void aReportAsksForDatesInOrderAndAKnownGroup() {
        for (String[] wrong : new String[][] {{null, "2026-12-01", null, "from"}, {"2026-12-01", "12/02", null, "to"},
            {"2026-12-02", "2026-12-01", null, "to"}, {"2025-01-01", "2026-12-01", null, "to"},
            {"2026-12-01", "2026-12-01", "tenant", "groupBy"}}) {
            ApiException refused = assertThrows(ApiException.class, () -> report.report(wrong[0], wrong[1], wrong[2],
                    "t1"));
            assertEquals(400, refused.status());
            assertEquals(wrong[3], refused.field());
        }
        assertEquals(Map.of("calls", 0L, "answered", 0L, "billedSeconds", 0L, "cost", Map.of()),
                report.report("2026-01-01", "2026-12-31", null, "t1").get("total"), "a year of nothing");
    }

    @Test
    void amountsAreReadExactly() {
        assertEquals(13_000L, CallPrices.micros("-0.01300"));
        assertEquals(1_500_000L, CallPrices.micros("1.5"));
        assertNull(CallPrices.micros("1e3"));
        assertNull(CallPrices.micros("9999999999"));
        assertEquals("10", CallPrices.amount(10_000_000).toPlainString());
    }
}

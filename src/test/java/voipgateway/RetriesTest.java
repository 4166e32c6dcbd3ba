package voipgateway;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ConsumerTemplate;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retries by outcome: a busy or unanswered call is dialled again after the tenant's delay, as its own call linked
 * to the first, at most the tenant's attempts a day; never after completed; a report that comes twice makes one
 * retry.
 */
class RetriesTest extends GatewayTestSupport {

    private static final String EVENTS = "jms:queue:voip.call-events";

    private ConsumerTemplate consumer;

    /**
     * Callees in a zone where it is about noon now: a retry 600 s later falls on the same day there, whatever the hour
     * the test runs (in Asia/Kolkata, the default, it did not from 23:50, and the test failed).
     */
    @Override
    protected Map<String, String> properties() {
        int offset = 12 - LocalTime.now(ZoneOffset.UTC).getHour();
        return Map.of("voip.callee-time-zone", ZoneOffset.ofHours(offset).getId());
    }

    @BeforeEach
    void lineWithRetries() throws Exception {
        consumer = gateway.getCamelContext().createConsumerTemplate();
        lineThatDials("jwt-1", "9");
        Response set = send("PUT", "/calling-rules", Map.of("retries", Map.of("on", List.of("busy", "no-answer"),
                "delaySeconds", 600, "maxAttemptsPerDay", 2)));
        assertEquals(200, set.status(), set.body());
        while (consumer.receiveBody(EVENTS, 100) != null) {
            // drain
        }
    }

    @AfterEach
    void noRetries() throws Exception {
        send("PUT", "/calling-rules", Map.of("retries", Map.of("on", List.of(), "delaySeconds", 600,
                "maxAttemptsPerDay", 1)));
        consumer.stop();
    }

    @Test
    void aBusyCallIsDialledAgainAsItsOwnCallUpToTheAttemptsOfTheDay() throws Exception {
        String first = call("09000000001").json().get("id").asText();

        assertEquals(200, sansPbxCallback(first, "BUSY").status());
        assertEquals(200, sansPbxCallback(first, "BUSY").status(), "the same report again");

        List<Document> retries = db().getCollection("calls").find(new Document("retryOf", new ObjectId(first)))
                .into(new java.util.ArrayList<>());
        assertEquals(1, retries.size(), "one retry, however often the end was reported");
        Document retry = retries.get(0);
        assertEquals("scheduled", retry.getString("status"));
        assertEquals("retry_busy", retry.getString("reason"));
        assertEquals(2, retry.getInteger("attempt"));
        assertEquals(new ObjectId(first), retry.getObjectId("firstCallId"));
        long inSeconds = Duration.between(Instant.now(), retry.getDate("scheduledFor").toInstant()).toSeconds();
        assertTrue(inSeconds > 590 && inSeconds <= 600, "scheduled the tenant's delay later: " + inSeconds);
        JsonNode event = JSON.readTree(consumer.receiveBody(EVENTS, 20_000, String.class));
        assertEquals("scheduled", event.get("status").asText());
        assertEquals("retry_busy", event.get("reason").asText());
        Response shown = send("GET", "/calls/" + retry.getObjectId("_id").toHexString(), null);
        assertEquals(first, shown.json().get("firstCallId").asText(), shown.body());

        // its time comes (moved here instead of waited for): dialled, and busy again: no third attempt today
        db().getCollection("schedule").updateOne(new Document("_id", retry.getObjectId("_id")),
                new Document("$set", new Document("dueAt", new Date())));
        String second = retry.getObjectId("_id").toHexString();
        await().atMost(Duration.ofSeconds(30)).until(() -> "initiated".equals(db().getCollection("calls")
                .find(new Document("_id", retry.getObjectId("_id"))).first().getString("status")));
        pbx.verify(2, postRequestedFor(urlPathEqualTo(DIALCALL)));
        assertEquals(200, sansPbxCallback(second, "NO ANSWER").status());
        assertEquals(2, db().getCollection("calls").countDocuments(new Document("$or", List.of(new Document("_id",
                new ObjectId(first)), new Document("firstCallId", new ObjectId(first))))),
                "the attempts of the day are used up");
    }

    /** A decline (Q.850 21) or a number that does not exist (1) is never dialled again, though the rule says busy. */
    @Test
    void aDeclinedCallOrAnUnallocatedNumberIsNeverDialledAgainWhateverTheRule() throws Exception {
        for (String[] end : new String[][] {{"BUSY", "21", "Call Rejected", "rejected"},
            {"BUSY", "1", "Unallocated (unassigned) number", "failed"}}) {
            String id = call("09000000001").json().get("id").asText();
            Map<String, Object> report = new java.util.LinkedHashMap<>(Map.of("Linkedid", "12345", "disposition",
                    end[0], "duration", "0", "billsec", "0", "end_time", "2026-02-14 15:36:08", "cause", end[1],
                    "cause_txt", end[2], "custom_field", Map.of("record_id", id)));
            assertEquals(200, send("POST", "/callbacks/sanspbx/status?call=" + id + "&token=" + callbackToken(id),
                    report).status());
            Document stored = storedCall(id);
            assertEquals("busy", stored.getString("status"));
            assertEquals(end[3], stored.getString("outcome"));
            assertEquals(end[1], stored.get("cause", Document.class).getString("code"));
            assertEquals(end[2], stored.get("cause", Document.class).getString("text"));
            assertTrue(stored.getBoolean("permanent"));
            assertEquals(0, db().getCollection("calls").countDocuments(new Document("retryOf", new ObjectId(id))),
                    "no retry of " + end[2]);
        }
        // a plain busy (17) is retried as the rule says
        String busy = call("09000000001").json().get("id").asText();
        Map<String, Object> report = new java.util.LinkedHashMap<>(Map.of("Linkedid", "12345", "disposition", "BUSY",
                "cause", "17", "cause_txt", "User busy", "custom_field", Map.of("record_id", busy)));
        assertEquals(200, send("POST", "/callbacks/sanspbx/status?call=" + busy + "&token=" + callbackToken(busy),
                report).status());
        assertEquals("busy", storedCall(busy).getString("outcome"));
        assertEquals(1, db().getCollection("calls").countDocuments(new Document("retryOf", new ObjectId(busy))));
    }

    @Test
    void aCompletedCallIsNeverDialledAgain() throws Exception {
        String id = call("09000000001").json().get("id").asText();
        assertEquals(200, sansPbxCallback(id, "ANSWER").status());
        assertEquals(0, db().getCollection("calls").countDocuments(new Document("retryOf", new ObjectId(id))));
        assertNotNull(send("GET", "/calling-rules", null).json().at("/retries/on/0").asText());
    }
}

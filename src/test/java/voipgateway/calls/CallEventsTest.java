package voipgateway.calls;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.model.Updates;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which changes make which events, written into the same update as the change. */
class CallEventsTest {

    private final List<Document> relayed = new ArrayList<>();
    private final CallEvents events = new CallEvents((tenant, type) -> tenant.equals("t1") && (type == null
            || Set.of("call.completed", "call.refused", "call.retry_scheduled", "call.machine_detected").contains(type)),
            relayed::add);

    @Test
    void eachStatusNamesItsEventAndTheServicesOwnStepsNone() {
        assertEquals("call.no_answer", CallEvents.type("no-answer", null));
        assertEquals("call.completed", CallEvents.type("completed", null));
        assertEquals("call.scheduled", CallEvents.type("scheduled", "outside_calling_window"));
        assertEquals("call.retry_scheduled", CallEvents.type("scheduled", "retry_busy"));
        assertEquals("call.refused", CallEvents.type("failed", "pacing"));
        assertEquals("call.failed", CallEvents.type("failed", null));
        assertNull(CallEvents.type("dialing", null));
        assertNull(CallEvents.type("pending", null));
    }

    @Test
    void aWantedStatusChangeCarriesItsEventInTheSameUpdate() {
        Document call = new Document("userId", "t1").append("status", "answered").append(CallEvents.SEQUENCE, 2);
        Bson update = Updates.combine(Updates.set("status", "completed"), Updates.set("durationSeconds", 42),
                Updates.set("endReason", "Normal Clearing"), Updates.push("statusHistory", new Document()));

        BsonDocument written = render(events.withEvent(call, update));

        BsonDocument entry = written.getDocument("$push").getDocument(CallEvents.OUTBOX);
        assertEquals(3, entry.getInt32("seq").getValue());
        assertEquals("call.completed", entry.getString("type").getValue());
        assertEquals(42, entry.getInt32("durationSeconds").getValue());
        assertEquals("Normal Clearing", entry.getString("endReason").getValue());
        assertEquals(3, written.getDocument("$set").getInt32(CallEvents.SEQUENCE).getValue());
        // the change itself is untouched
        assertEquals("completed", written.getDocument("$set").getString("status").getValue());
    }

    @Test
    void noEventWithoutAStatusChangeOrForAnotherTenantOrAnUnwantedType() {
        Bson sameStatus = Updates.set("status", "answered");
        Document answered = new Document("userId", "t1").append("status", "answered");
        assertSame(sameStatus, events.withEvent(answered, sameStatus));
        Bson noStatus = Updates.set("providerCallId", "x");
        assertSame(noStatus, events.withEvent(answered, noStatus));
        Bson completed = Updates.set("status", "completed");
        assertSame(completed, events.withEvent(new Document("userId", "t2").append("status", "answered"), completed));
        Bson ringing = Updates.set("status", "ringing");
        assertSame(ringing, events.withEvent(new Document("userId", "t1").append("status", "initiated"), ringing));
    }

    /** A machine detection's verdict changes no status: its report is an event of its own, at the call's status. */
    @Test
    void aMachineVerdictIsAnEventOfItsOwn() {
        Document call = new Document("userId", "t1").append("status", "completed").append(CallEvents.SEQUENCE, 4);
        Bson update = Updates.combine(Updates.set("machineVerdict", "machine"), Updates.set("outcome", "machine"));

        BsonDocument entry = render(events.withEvent(call, update)).getDocument("$push").getDocument(CallEvents.OUTBOX);

        assertEquals("call.machine_detected", entry.getString("type").getValue());
        assertEquals("completed", entry.getString("status").getValue());
        assertEquals("machine", entry.getString("machineVerdict").getValue());
        assertEquals("machine", entry.getString("outcome").getValue());
        assertEquals(5, entry.getInt32("seq").getValue());
    }

    @Test
    void aCallWrittenWholeCarriesItsFirstEventAndGoesToTheRelayOnceWritten() {
        Document refused = events.withEvent("t1", new Document("status", "refused").append("reason", "dnc"));
        List<Document> outbox = refused.getList(CallEvents.OUTBOX, Document.class);
        assertEquals(1, outbox.size());
        assertEquals("call.refused", outbox.get(0).getString("type"));
        assertEquals("dnc", outbox.get(0).getString("reason"));
        assertEquals(1, refused.getInteger(CallEvents.SEQUENCE));

        events.written(refused);
        events.written(new Document("status", "initiated"));
        assertEquals(List.of(refused), relayed);

        Document dialing = events.withEvent("t1", new Document("status", "dialing"));
        assertFalse(dialing.containsKey(CallEvents.OUTBOX));
        assertTrue(events.withEvent("t1", new Document("status", "scheduled").append("reason", "retry_busy"))
                .containsKey(CallEvents.OUTBOX));
    }

    private static BsonDocument render(Bson update) {
        return update.toBsonDocument(Document.class, MongoClientSettings.getDefaultCodecRegistry());
    }
}

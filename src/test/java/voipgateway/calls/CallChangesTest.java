package voipgateway.calls;

import java.net.SocketTimeoutException;
import java.util.Date;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import voipgateway.callbacks.StatusEvent;
import voipgateway.callbacks.StatusEventStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The changes writers make to a call, computed from the call as they find it (plain JUnit, no MongoDB). */
class CallChangesTest {

    @Test
    void theDialsOutcomeMakesTheCallInitiatedStoresTheAnswerAndReleasesTheClaim() {
        Document update = (Document) DialChanges.initiated("4711", "claim-1", null).update(call("dialing", 0, "claim-1"));

        Document set = update.get("$set", Document.class);
        assertEquals("initiated", set.get("status"));
        assertEquals(1, set.get("statusRank"));
        assertEquals("4711", set.get("providerCallId"));
        Document response = set.get("response", Document.class);
        assertEquals(201, response.get("status"));
        assertTrue(response.getString("body").contains("\"status\":\"initiated\""), response.getString("body"));
        assertTrue(response.getString("body").contains("\"providerCallId\":\"4711\""), response.getString("body"));
        assertTrue(update.get("$unset", Document.class).containsKey("claim"));
    }

    @Test
    void aStatusThatOvertookTheDialsAnswerStands() {
        Document update = (Document) DialChanges.initiated("4711", "claim-1", null).update(call("answered", 3, "claim-1"));

        Document set = update.get("$set", Document.class);
        assertFalse(set.containsKey("status"));
        assertFalse(set.containsKey("statusRank"));
        assertTrue(set.get("response", Document.class).getString("body").contains("\"status\":\"answered\""));
        assertTrue(update.get("$unset", Document.class).containsKey("claim"));
    }

    @Test
    void anEntrySettledByAnotherRequestOnlyLearnsTheProvidersCallId() {
        Document update = (Document) DialChanges.initiated("4711", "claim-1", null).update(call("unknown", 0, null));

        Document set = update.get("$set", Document.class);
        assertEquals("4711", set.get("providerCallId"));
        assertFalse(set.containsKey("response"));
        assertNull(update.get("$unset"));
    }

    @Test
    void aDialWhoseAnswerWasLostButWhoseCallWasReportedKeepsTheReportedStatus() {
        SocketTimeoutException failed = new SocketTimeoutException("Read timed out");

        Document update = (Document) DialChanges.failed("claim-1", failed, true, true, null)
                .update(call("answered", 3, "claim-1"));

        Document set = update.get("$set", Document.class);
        assertFalse(set.containsKey("status"));
        assertEquals(201, set.get("response", Document.class).get("status"));
        assertTrue(set.get("response", Document.class).getString("body").contains("\"status\":\"answered\""));
        assertTrue(update.get("$unset", Document.class).containsKey("claim"));
        Document unanswered = (Document) DialChanges.failed("claim-1", failed, true, true, null)
                .update(call("dialing", 0, "claim-1"));
        assertEquals("unknown", unanswered.get("$set", Document.class).get("status"));
    }

    @Test
    void anEventMovesTheCallOnlyForward() {
        StatusEventStore events = new StatusEventStore(null);
        StatusEvent completed = new StatusEvent("SansPBX", null, "4711", "completed", null, new Document(),
                new Document(), new ObjectId().toHexString(), null);

        assertNotNull(events.change(completed).update(call("answered", 3, null)));
        assertNull(events.change(completed).update(call("completed", 4, null)), "a duplicate");
        assertNull(events.change(completed).update(call("busy", 4, null)), "after another final status");
    }

    private static Document call(String status, int rank, String claim) {
        return new Document("_id", new ObjectId()).append("providerId", new ObjectId()).append("status", status)
                .append("statusRank", rank).append("claim", claim).append("createdAt", new Date())
                .append("version", 1);
    }
}

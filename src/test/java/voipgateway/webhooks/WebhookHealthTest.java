package voipgateway.webhooks;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import voipgateway.ExternalMongo;
import voipgateway.HeldClock;
import voipgateway.crypto.CredentialCipher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An endpoint failing since some time is disabled once that is longer than voip.webhooks.disable-after-seconds. */
class WebhookHealthTest {

    private static final Duration THREE_DAYS = Duration.ofDays(3);
    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path dir;
    private ExternalMongo mongo;
    private MongoClient client;
    private MongoDatabase db;

    @BeforeEach
    void start() {
        mongo = new ExternalMongo(dir.resolve("mongo.h2"));
        client = MongoClients.create(mongo.uri());
        db = client.getDatabase("voip");
        Webhooks.createIndexes(db);
    }

    @AfterEach
    void stop() {
        client.close();
        mongo.stop();
    }

    @Test
    void failingForDaysDisablesAndSaysWhyAndAnAnswerInBetweenStartsTheCountAgain() {
        CredentialCipher cipher = new CredentialCipher("a-test-key-of-some-length-0123456789");
        HeldClock clock = new HeldClock(START);
        // no cache worth the name: each step reads what the one before wrote
        Webhooks webhooks = new Webhooks(db, cipher, Duration.ofNanos(1), 10, clock);
        webhooks.change("t1", endpoints -> {
            List<Document> changed = new ArrayList<>(endpoints);
            changed.add(new Document("id", "wh_1").append("url", "https://hooks.example.com/a")
                    .append("events", List.of("call.completed")).append("enabled", true)
                    .append("secrets", List.of(new Document("value", cipher.encrypt(WebhookSignatures.newSecret()))))
                    .append("createdAt", Date.from(START)));
            return changed;
        });

        webhooks.failing(webhooks.find("t1", "wh_1"), "answered 503", THREE_DAYS);
        assertEquals(START, webhooks.find("t1", "wh_1").failingSince());
        clock.set(START.plus(Duration.ofDays(2)));
        webhooks.answering(webhooks.find("t1", "wh_1"));
        assertNull(webhooks.find("t1", "wh_1").failingSince());

        clock.set(START.plus(Duration.ofDays(3)));
        webhooks.failing(webhooks.find("t1", "wh_1"), "answered 503", THREE_DAYS);
        clock.set(START.plus(Duration.ofDays(5)));
        webhooks.failing(webhooks.find("t1", "wh_1"), "no connection", THREE_DAYS);
        assertTrue(webhooks.find("t1", "wh_1").enabled(), "failing two days: still on");
        clock.set(START.plus(Duration.ofDays(6)));
        webhooks.failing(webhooks.find("t1", "wh_1"), "no connection", THREE_DAYS);

        Webhook disabled = webhooks.find("t1", "wh_1");
        assertFalse(disabled.enabled());
        assertEquals("failing since 2026-12-04T00:00:00Z (last: no connection)", disabled.disabledReason());
        assertFalse(webhooks.wants("t1", "call.completed"));
    }
}

package voipgateway.rules;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import voipgateway.providers.ProviderAccount;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A call's slot is given back at its end, also when the call never got to say which slot it holds. */
class PacingSlotsTest {

    private MongoServer server;
    private MongoClient client;
    private MongoDatabase db;
    private Pacing pacing;

    @BeforeEach
    void start() {
        server = new MongoServer(H2Backend.inMemory());
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        db = client.getDatabase("voip");
        pacing = new Pacing(db, Clock.systemUTC(), Duration.ofHours(1), Duration.ofMillis(250));
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    private long held() {
        return db.getCollection("live").countDocuments()
                + db.getCollection("slots").countDocuments(new Document("call", new Document("$ne", null)));
    }

    /** 0: a slot document of the call's own ({@code live}); 3: one of the account's three numbered slots. */
    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void theEndOfACallWhoseOutcomeWasNeverStoredFreesItsSlot(int maxConcurrentCalls) throws Exception {
        ProviderAccount account = new ProviderAccount("account-1", 1, "SansPBX", "sanspbx", Map.of(), List.of(),
                new ProviderAccount.Limits(0, maxConcurrentCalls));
        ObjectId ended = new ObjectId();
        ObjectId other = new ObjectId();
        for (ObjectId call : List.of(ended, other)) {
            Exchange exchange = new DefaultExchange(new DefaultCamelContext());
            pacing.acquire(account, call, 0L, exchange);
        }
        assertEquals(2, held());

        // the call as its status callback finds it: the dial's outcome (which names the slot) was never written
        pacing.releaseCall(new Document("_id", ended).append("status", "completed"));

        assertEquals(1, held(), "the ended call's slot is free, the other call keeps its own");
        pacing.releaseCall(new Document("_id", other).append("status", "completed"));
        assertEquals(0, held());
    }
}

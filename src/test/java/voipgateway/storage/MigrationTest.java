package voipgateway.storage;

import java.nio.file.Path;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import voipgateway.ExternalMongo;
import voipgateway.agents.AgentStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Data of earlier versions, brought forward at start-up once per database (against a wire server over a socket). */
class MigrationTest {

    @TempDir
    Path dir;

    private ExternalMongo server;
    private MongoClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void anAssignedNumberIsWrittenOnItsAgentOnceAndNotAtEveryStart() {
        server = new ExternalMongo(dir.resolve("mongo.h2"));
        client = MongoClients.create(server.uri());
        MongoDatabase db = client.getDatabase("voip");
        ObjectId number = new ObjectId();
        db.getCollection(Collections.NUMBERS).insertOne(new Document("_id", number).append("userId", "tenant-a")
                .append("assignedAgentId", "agent-1").append("phoneNumber", "6000001"));

        AgentStore.migrateLines(db);

        Document agent = db.getCollection(Collections.AGENTS).find(new Document("_id",
                AgentStore.key("tenant-a", "agent-1"))).first();
        assertEquals(number, agent.getObjectId(AgentStore.LINE));
        assertEquals("agent-1", agent.getString("agentId"));
        assertEquals(1, db.getCollection(Collections.MIGRATIONS).countDocuments(new Document("_id", "agent-lines")));

        // a second start: no pass over the numbers (an agent whose line was released since stays without one)
        db.getCollection(Collections.AGENTS).updateOne(new Document("_id", agent.get("_id")),
                new Document("$unset", new Document(AgentStore.LINE, "")));
        AgentStore.migrateLines(db);
        assertNull(db.getCollection(Collections.AGENTS).find(new Document("_id", agent.get("_id"))).first()
                .get(AgentStore.LINE));
    }
}

package voipgateway.storage;

import java.util.Date;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import voipgateway.agents.AgentStore;
import voipgateway.calls.CallVersions;
import voipgateway.tenants.ApiKeys;

/** The collections this service keeps, and the indexes their queries need. */
public final class Collections {

    public static final String PROVIDERS = "voipproviders";
    public static final String NUMBERS = "voipnumbers";
    public static final String AGENTS = "agents";
    public static final String CALLS = "calls";
    /** The live calls of accounts without a concurrency limit (LiveCalls, Pacing). */
    public static final String LIVE_CALLS = "live";
    /** One document per data migration done (its name as _id). */
    static final String MIGRATIONS = "migrations";
    private static final String AGENT_LINES = "agent-lines";

    private Collections() {
    }

    public static void createIndexes(MongoDatabase db) {
        // one stored account per provider login; found again by its keyed fingerprint
        db.getCollection(PROVIDERS).createIndex(Indexes.ascending("accountKey"), new IndexOptions().unique(true));
        // a DID exists once
        db.getCollection(NUMBERS).createIndex(Indexes.ascending("phoneNumber"), new IndexOptions().unique(true));
        // assignments are compare-and-sets on these exact fields (an index answers them on the embedded server too)
        db.getCollection(NUMBERS).createIndex(Indexes.ascending("_id", "userId"), new IndexOptions().unique(true));
        db.getCollection(NUMBERS).createIndex(Indexes.ascending("_id", "userId", "assignedAgentId"),
                new IndexOptions().unique(true));
        // listing a tenant's calls newest first, by agent or not (a real MongoDB uses these; the embedded one scans)
        db.getCollection(CALLS).createIndex(Indexes.compoundIndex(Indexes.ascending("userId"),
                Indexes.descending("createdAt", "_id")));
        db.getCollection(CALLS).createIndex(Indexes.compoundIndex(Indexes.ascending("userId", "agentId"),
                Indexes.descending("createdAt", "_id")));
        // the dial ledger: one call per idempotency key and tenant
        db.getCollection(CALLS).createIndex(Indexes.ascending("userId", "idempotencyKey"),
                new IndexOptions().unique(true));
        // every write of a call is a compare-and-set on its version (CallVersions), answered by an index everywhere
        db.getCollection(CALLS).createIndex(Indexes.ascending("_id", CallVersions.VERSION),
                new IndexOptions().unique(true));
        // indexes of earlier versions: each unique index costs every write a lookup on the embedded server
        for (String obsolete : new String[] {"_id_1_claim_1", "_id_1_statusRank_1", "providerCallId_1",
                "agentId_-1_createdAt_-1"}) {
            dropIfPresent(db.getCollection(CALLS), obsolete);
        }
        dropIfPresent(db.getCollection(NUMBERS), "assignedAgentId_1");
        // pacing slots are freed by a compare-and-set on the call holding them; the sweeper looks for overdue ones
        db.getCollection("slots").createIndex(Indexes.ascending("_id", "call"), new IndexOptions().unique(true));
        db.getCollection("slots").createIndex(Indexes.ascending("until"));
        db.getCollection(LIVE_CALLS).createIndex(Indexes.ascending("until"));
        // the scheduler takes the soonest due calls; the do-not-call list is listed by tenant (a real MongoDB)
        db.getCollection("schedule").createIndex(Indexes.ascending("dueAt"));
        db.getCollection("dnc").createIndex(Indexes.ascending("userId", "_id"));
        // revoking a key names it by tenant and key id
        db.getCollection(ApiKeys.COLLECTION).createIndex(Indexes.ascending("tenantId", "keyId"),
                new IndexOptions().unique(true));
    }

    private static void dropIfPresent(MongoCollection<Document> collection, String index) {
        for (Document existing : collection.listIndexes()) {
            if (index.equals(existing.getString("name"))) {
                collection.dropIndex(index);
            }
        }
    }

    /**
     * Data stored before an agent's document named its line: each assigned number is written on its agent (a pass
     * over the numbers, for agents without a line). Runs once per database: done, it is recorded in
     * {@code migrations}; two instances starting at once may both run it, which is harmless (it only fills gaps).
     */
    public static void migrate(MongoDatabase db) {
        MongoCollection<Document> migrations = db.getCollection(MIGRATIONS);
        if (migrations.find(Filters.eq("_id", AGENT_LINES)).first() != null) {
            return;
        }
        MongoCollection<Document> agents = db.getCollection(AGENTS);
        for (Document number : db.getCollection(NUMBERS).find(Filters.ne("assignedAgentId", null))) {
            String tenant = number.getString("userId");
            String agentId = number.getString("assignedAgentId");
            String key = AgentStore.key(tenant, agentId);
            Document agent = agents.find(Filters.eq("_id", key)).first();
            if (agent == null || agent.get(AgentStore.LINE) == null) {
                agents.updateOne(Filters.eq("_id", key), Updates.combine(
                        Updates.set(AgentStore.LINE, number.getObjectId("_id")), Updates.set("userId", tenant),
                        Updates.set("agentId", agentId), Updates.setOnInsert("createdAt", new Date())),
                        new UpdateOptions().upsert(true));
            }
        }
        migrations.updateOne(Filters.eq("_id", AGENT_LINES), Updates.set("doneAt", new Date()),
                new UpdateOptions().upsert(true));
    }
}

package voipgateway.storage;


import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/** The collections this service keeps, and the indexes their queries need. */
public final class Collections {

    public static final String PROVIDERS = "voipproviders";
    public static final String NUMBERS = "voipnumbers";
    public static final String AGENTS = "agents";
    public static final String CALLS = "calls";

    private Collections() {
    }

    public static void createIndexes(MongoDatabase db) {
        // one stored account per provider login; found again by its keyed fingerprint
        db.getCollection(PROVIDERS).createIndex(Indexes.ascending("accountKey"), new IndexOptions().unique(true));
        // a DID exists once
        db.getCollection(NUMBERS).createIndex(Indexes.ascending("phoneNumber"), new IndexOptions().unique(true));
        db.getCollection(NUMBERS).createIndex(Indexes.ascending("assignedAgentId"));
        db.getCollection(CALLS).createIndex(Indexes.descending("agentId", "createdAt"));
        // the dial ledger: one call per idempotency key and tenant
        db.getCollection(CALLS).createIndex(Indexes.ascending("userId", "idempotencyKey"),
                new IndexOptions().unique(true));
        db.getCollection(CALLS).createIndex(Indexes.ascending("providerCallId"));
        // the dial ledger's compare-and-set on (call, claim), answered by an index on the embedded server too
        db.getCollection(CALLS).createIndex(Indexes.ascending("_id", "claim"), new IndexOptions().unique(true));
        // lets a status change be a compare-and-set on (call, status rank) that an index answers
        db.getCollection(CALLS).createIndex(Indexes.ascending("_id", "statusRank"), new IndexOptions().unique(true));
    }
}

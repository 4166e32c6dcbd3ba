package voipgateway;

import com.mongodb.client.MongoDatabase;
import voipgateway.agents.AgentStore;
import voipgateway.calls.CallStore;
import voipgateway.campaigns.CampaignsConfiguration;
import voipgateway.compliance.DoNotCallLists;
import voipgateway.numbers.NumberStore;
import voipgateway.pacing.Pacing;
import voipgateway.pacing.ScheduledCalls;
import voipgateway.providers.ProviderStore;
import voipgateway.tenants.ApiKeys;
import voipgateway.webhooks.WebhooksConfiguration;

/** The indexes and migrations of every collection, each defined by the package that owns the collection. */
public final class Schema {

    private Schema() {
    }

    /** Run at start-up, before anything reads or writes. */
    public static void prepare(MongoDatabase db) {
        ProviderStore.createIndexes(db);
        NumberStore.createIndexes(db);
        CallStore.createIndexes(db);
        Pacing.createIndexes(db);
        ScheduledCalls.createIndexes(db);
        DoNotCallLists.createIndexes(db);
        ApiKeys.createIndexes(db);
        WebhooksConfiguration.createIndexes(db);
        CampaignsConfiguration.createIndexes(db);
        AgentStore.migrateLines(db);
    }
}

package voipgateway.campaigns;

import java.time.Clock;
import java.time.Duration;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.spi.Registry;
import voipgateway.compliance.DoNotCallLists;
import voipgateway.config.Settings;

/** Campaigns of leads, from their settings (voip.campaigns.*; routes/campaigns.yaml reads the rest). */
public final class CampaignsConfiguration {

    private final int maxConcurrent;
    private final Duration redialAfter;
    private final Duration tick;
    private final Duration pacingMargin;

    public CampaignsConfiguration(Settings settings) {
        pacingMargin = settings.millis("voip.pacing.margin-ms", 0, 60_000);
        tick = settings.millis("voip.campaigns.tick-ms", 10, 60_000);
        maxConcurrent = (int) settings.whole("voip.campaigns.max-concurrent-calls", 1, 10_000);
        redialAfter = settings.seconds("voip.campaigns.redial-after-seconds", 1, 86_400);
    }

    /** campaignLeads, campaigns, campaignDialer (after compliance: the do-not-call lists). */
    public void bind(Registry registry, MongoDatabase db, Clock clock) {
        CampaignLeads leads = new CampaignLeads(db, registry.lookupByNameAndType("doNotCallLists", DoNotCallLists.class));
        registry.bind("campaignLeads", leads);
        registry.bind("campaigns", new Campaigns(db, leads, clock, maxConcurrent));
        registry.bind("campaignDialer", new CampaignDialer(db, clock, redialAfter, tick, pacingMargin));
    }

    public static void createIndexes(MongoDatabase db) {
        Campaigns.createIndexes(db);
        CampaignDialer.createIndexes(db);
    }
}

package voipgateway.usage;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The tenants' usage, rolled up by day as calls end: one document per tenant and day (UTC, of the call's creation)
 * in {@code usage_daily}, {@code _id} {@code <tenant>|<yyyy-MM-dd>} (so a report reads a day by its id, whatever
 * the number of calls), holding {@code calls}, {@code answered}, {@code billedSeconds} and {@code cost.<currency>}
 * (millionths) in all ({@code total}) and by {@code provider}, {@code agent} and {@code campaign}. A call counts
 * once, in the write after the one that made its status final (a duplicate or late report makes no such write); a
 * price reported later adds what it changed.
 */
public class CallUsage {

    public static final String COLLECTION = "usage_daily";
    /** The groups a day is rolled up by, each by the call's field. */
    static final Map<String, String> GROUPS = Map.of("provider", "provider", "agent", "agentId", "campaign",
            "campaignId");
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private final MongoCollection<Document> days;

    public CallUsage(MongoCollection<Document> days) {
        this.days = days;
    }

    /** A call whose status just became final (as stored now): counted in its day. */
    public void count(@ExchangeProperty("call") Document call) {
        boolean answered = "completed".equals(call.getString("status"));
        Number billSeconds = call.get("billSeconds", Number.class);
        Number duration = call.get("durationSeconds", Number.class);
        long billed = billSeconds != null ? billSeconds.longValue() : answered && duration != null ? duration.longValue() : 0;
        List<Bson> updates = new ArrayList<>();
        for (String scope : scopes(call)) {
            updates.add(Updates.inc(scope + ".calls", 1));
            updates.add(Updates.inc(scope + ".answered", answered ? 1 : 0));
            updates.add(Updates.inc(scope + ".billedSeconds", billed));
            if (call.get(CallPrices.MICROS) != null) {
                updates.add(Updates.inc(scope + ".cost." + call.getString(CallPrices.CURRENCY),
                        call.get(CallPrices.MICROS, Number.class).longValue()));
            }
        }
        write(call, updates);
    }

    /** A price that changed on a call already counted: what it changed, in the call's day. */
    void repriced(Document call, String currency, long microsAdded) {
        if (microsAdded == 0) {
            return;
        }
        List<Bson> updates = new ArrayList<>();
        for (String scope : scopes(call)) {
            updates.add(Updates.inc(scope + ".cost." + currency, microsAdded));
        }
        write(call, updates);
    }

    private void write(Document call, List<Bson> updates) {
        String tenant = call.getString("userId");
        String day = day(call);
        updates.add(Updates.setOnInsert("tenantId", tenant));
        updates.add(Updates.setOnInsert("day", day));
        days.updateOne(Filters.eq("_id", id(tenant, day)), Updates.combine(updates), UPSERT);
    }

    /** Where a call counts: in all, and in its provider's, agent's and campaign's group ({@code -}: none). */
    private static List<String> scopes(Document call) {
        List<String> scopes = new ArrayList<>(List.of("total"));
        GROUPS.forEach((group, field) -> scopes.add(group + "." + key(call.get(field))));
        return scopes;
    }

    static String day(Document call) {
        Date created = call.getDate("createdAt");
        return created.toInstant().atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    static String id(String tenant, String day) {
        return tenant + "|" + day;
    }

    /** A group's value as a field name: never a path ({@code .}) or an operator ({@code $}); none is {@code -}. */
    static String key(Object value) {
        return value == null || value.toString().isEmpty() ? "-"
                : value.toString().replace('.', '\uFF0E').replace('$', '\uFF04');
    }

    /** A field name back as the group's value; {@code -} is none (null). */
    static String value(String key) {
        return key.equals("-") ? null : key.replace('\uFF0E', '.').replace('\uFF04', '$');
    }
}

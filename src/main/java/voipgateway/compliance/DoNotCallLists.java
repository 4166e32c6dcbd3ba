package voipgateway.compliance;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * Each tenant's do-not-call list in memory, so the check before a dial reads nothing: the listed numbers as a sorted
 * array (8 bytes a number), with the version of the list they were read at. Every change of a list through the API
 * counts up its version (collection {@code dncversions}, {@code _id} the tenant) after writing the numbers. A change
 * written straight into MongoDB, not through the API, is seen once the list's version is counted up.
 * <ul>
 * <li>This instance's changes count at once: the tenant's list is read again at its next check.</li>
 * <li>Another instance's: a list older than {@code voip.cache-seconds} is checked against the stored version (one
 * read by {@code _id}) at its next use, and read again when it changed. The version is read before the numbers, so
 * a change written meanwhile is either in them or makes the next check read them again.</li>
 * <li>The lists of all tenants together are kept up to {@code voip.dnc-numbers-in-memory} numbers; beyond that the
 * lists used least are dropped, and read again at their next use.</li>
 * <li>A list of more numbers than that alone is not kept: {@link #listed} answers null and the route reads the
 * number by {@code _id}, as before.</li>
 * </ul>
 * A change whose writer died before counting the version is seen elsewhere at the list's next change; the API
 * answers such a change with an error, so the client's retry (an upsert again) counts it.
 */
public class DoNotCallLists {

    /** The numbers of a list too long to keep. */
    private static final long[] TOO_LONG = new long[0];

    private record Listed(long version, long[] numbers, long checkedAt) {
    }

    private final MongoCollection<Document> dnc;
    private final MongoCollection<Document> versions;
    private final Clock clock;
    private final long maxAgeMillis;
    private final int maxNumbers;
    private final Map<String, Listed> lists;

    public DoNotCallLists(MongoDatabase db, Clock clock, Duration maxAge, int maxNumbers) {
        this.dnc = db.getCollection("dnc");
        this.versions = db.getCollection("dncversions");
        this.clock = clock;
        this.maxAgeMillis = maxAge.toMillis();
        this.maxNumbers = maxNumbers;
        this.lists = Caffeine.newBuilder().maximumWeight(maxNumbers)
                .<String, Listed>weigher((tenant, listed) -> Math.max(1, listed.numbers().length))
                // dropped in the thread that went over the bound, not later in a pool's
                .executor(Runnable::run).build().asMap();
    }

    /** Whether {@code callTo} (as dialled: 0 and 10 digits) is on the tenant's list; null: not kept, read it. */
    public Boolean listed(String tenant, String callTo) {
        long[] numbers = current(tenant).numbers();
        if (numbers == TOO_LONG) {
            return null;
        }
        return Arrays.binarySearch(numbers, Long.parseLong(callTo)) >= 0;
    }

    /** Whether {@code callTo} is on the tenant's list: from memory, else (a list too long to keep) one read by {@code _id}. */
    public boolean listedNow(String tenant, String callTo) {
        Boolean listed = listed(tenant, callTo);
        return listed != null ? listed : dnc.find(Filters.eq("_id", DoNotCall.id(tenant, callTo))).first() != null;
    }

    /** The tenant's list was changed through this instance (its numbers are written): counted, and read again. */
    public void changed(String tenant) {
        versions.updateOne(Filters.eq("_id", tenant), Updates.inc("version", 1L), new UpdateOptions().upsert(true));
        lists.remove(tenant);
    }

    private Listed current(String tenant) {
        Listed known = lists.get(tenant);
        long now = clock.millis();
        if (known != null && now - known.checkedAt() < maxAgeMillis) {
            return known;
        }
        // one reader a tenant at a time; the others wait for its answer
        return lists.compute(tenant, (t, kept) -> {
            if (kept != null && kept != known && now - kept.checkedAt() < maxAgeMillis) {
                return kept;
            }
            long version = storedVersion(t);
            if (kept != null && kept.version() == version) {
                return new Listed(version, kept.numbers(), now);
            }
            return new Listed(version, read(t), now);
        });
    }

    private long storedVersion(String tenant) {
        Document stored = versions.find(Filters.eq("_id", tenant)).first();
        return stored == null ? 0 : stored.get("version", Number.class).longValue();
    }

    /** The tenant's numbers, sorted; too many: {@link #TOO_LONG}. A scan on the embedded server, once a change. */
    private long[] read(String tenant) {
        long[] numbers = new long[1024];
        int n = 0;
        for (Document entry : dnc.find(Filters.eq("userId", tenant)).projection(Projections.include("phone"))
                .batchSize(10_000)) {
            if (n == maxNumbers) {
                return TOO_LONG;
            }
            if (n == numbers.length) {
                numbers = Arrays.copyOf(numbers, n * 2);
            }
            numbers[n++] = Long.parseLong(entry.getString("phone"));
        }
        numbers = Arrays.copyOf(numbers, n);
        Arrays.sort(numbers);
        return numbers;
    }

    /** A tenant's list, listed by tenant (a real MongoDB uses it). */
    public static void createIndexes(MongoDatabase db) {
        db.getCollection("dnc").createIndex(Indexes.ascending("userId", "_id"));
    }
}

package voipgateway.storage;

import java.time.Duration;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * What the request path would otherwise read from MongoDB on every request, kept in memory: at most
 * {@code voip.cache-entries} entries, each for at most {@code voip.cache-seconds}. A change made through this
 * instance drops the entries it touches at once; a change made through another instance is seen here when the
 * entry ages out, after at most {@code voip.cache-seconds}.
 */
public class ReadCache<K, V> {

    private final Cache<K, V> entries;

    public ReadCache(Duration maxAge, long maxEntries) {
        entries = Caffeine.newBuilder().expireAfterWrite(maxAge).maximumSize(maxEntries).build();
    }

    public V get(K key) {
        return entries.getIfPresent(key);
    }

    public void put(K key, V value) {
        entries.put(key, value);
    }

    public void forget(K key) {
        entries.invalidate(key);
    }

    /** Drops every entry whose value matches (a changed number or account may serve several agents). */
    public void forgetIf(Predicate<V> stale) {
        entries.asMap().values().removeIf(stale);
    }
}

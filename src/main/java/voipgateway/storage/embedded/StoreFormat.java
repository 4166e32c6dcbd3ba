package voipgateway.storage.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the embedded store's file, converting it once if an earlier release wrote it: the file does not say which
 * types its maps were written with, so a marker map does. A conversion copies each document and unique index map into
 * a BSON map; only when all are copied does one commit swap them in and set the marker, so a conversion cut short
 * (a kill, a full disk) leaves the old maps as they were and starts again at the next start.
 */
public final class StoreFormat {

    private static final Logger LOG = LoggerFactory.getLogger(StoreFormat.class);

    static final String MARKER_MAP = "voip-gateway.format";
    static final String VALUES = "values";
    static final String BSON = "bson-1";
    private static final String COPY = "voip-gateway.copy.";
    /** Entries copied between commits, so a large conversion does not hold them all in memory. */
    private static final int BATCH = 10_000;
    private static final int AUTO_COMMIT_DELAY_MS = 1000;

    private StoreFormat() {
    }

    public static MVStore open(String file) {
        MVStore store = MVStore.open(file);
        MVMap<String, String> marker = store.openMap(MARKER_MAP);
        if (!BSON.equals(marker.get(VALUES))) {
            convert(store, marker);
        }
        return store;
    }

    private static void convert(MVStore store, MVMap<String, String> marker) {
        // no background commit while converting: the swap below must land in one commit
        store.setAutoCommitDelay(0);
        try {
            for (String name : new ArrayList<>(store.getMapNames())) {
                if (name.startsWith(COPY)) {
                    store.removeMap(name);
                }
            }
            List<String> names = store.getMapNames().stream().filter(name -> TypedMaps.of(name) != null).sorted()
                    .toList();
            long entries = 0;
            for (String name : names) {
                TypedMaps kind = TypedMaps.of(name);
                MVMap<Object, Object> old = store.openMap(name);
                MVMap<Object, Object> copy = store.openMap(COPY + name, kind.builder());
                for (Map.Entry<Object, Object> entry : old.entrySet()) {
                    copy.put(entry.getKey(), kind.converted(entry.getValue()));
                    if (++entries % BATCH == 0) {
                        store.commit();
                    }
                }
            }
            for (String name : names) {
                MVMap<Object, Object> copy = store.openMap(COPY + name);
                store.removeMap(name);
                store.renameMap(copy, name);
            }
            marker.put(VALUES, BSON);
            store.commit();
            if (!names.isEmpty()) {
                LOG.info("Embedded store converted to BSON: {} maps, {} entries", names.size(), entries);
            }
        } finally {
            store.setAutoCommitDelay(AUTO_COMMIT_DELAY_MS);
        }
    }
}

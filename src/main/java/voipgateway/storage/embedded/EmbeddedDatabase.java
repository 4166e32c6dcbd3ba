package voipgateway.storage.embedded;

import java.util.List;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The H2 backend's database with its documents and unique indexes kept in BSON ({@link TypedMaps}). Dropping and
 * renaming stay H2Database's: it opens the same maps by name.
 */
public class EmbeddedDatabase extends H2Database {

    private final MVStore store;

    public EmbeddedDatabase(String databaseName, MVStore store, CursorRegistry cursors) {
        super(databaseName, store, cursors);
        this.store = store;
        super.initializeNamespacesAndIndexes();
    }

    /** H2Database's constructor opens the collections before ours knows the store: done at the end of ours. */
    @Override
    protected void initializeNamespacesAndIndexes() {
        if (store != null) {
            super.initializeNamespacesAndIndexes();
        }
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
        String namespace = getFullCollectionNamespace(collectionName);
        MVMap<Object, byte[]> documents = store.openMap(TypedMaps.DOCUMENTS_PREFIX + namespace,
                TypedMaps.DOCUMENTS.builder());
        MVMap<String, Object> sizes = store.openMap(TypedMaps.SIZES_PREFIX + namespace);
        return new EmbeddedCollection(this, collectionName, options, documents, sizes, cursorRegistry);
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
            boolean sparse) {
        store.openMap(getFullCollectionNamespace(collectionName) + TypedMaps.INDEX_INFIX + indexName,
                TypedMaps.UNIQUE_INDEX.builder());
        return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
    }
}

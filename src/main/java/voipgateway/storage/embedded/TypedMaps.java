package voipgateway.storage.embedded;

import de.bwaldvogel.mongo.bson.Document;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.type.DataType;

/**
 * The embedded store's maps that are kept in BSON, told by their names as mongo-java-server's H2 backend gives them:
 * a collection's documents by id ({@code databases.<db>.<collection>}) and its unique indexes
 * ({@code <db>.<collection>._index_<name>}). The rest (a collection's size, our format marker) keep H2's default
 * types. The H2 backend opens maps by name only: a map already open is the one it gets.
 */
enum TypedMaps {

    DOCUMENTS(BsonValues.INSTANCE, BsonDocuments.INSTANCE),
    UNIQUE_INDEX(IndexKeys.INSTANCE, BsonValues.INSTANCE);

    static final String DOCUMENTS_PREFIX = "databases.";
    static final String SIZES_PREFIX = "meta.";
    static final String INDEX_INFIX = "._index_";

    private final DataType<?> keys;
    private final DataType<?> values;

    TypedMaps(DataType<?> keys, DataType<?> values) {
        this.keys = keys;
        this.values = values;
    }

    /** The kind of a map by its name; null for one of H2's default types. */
    static TypedMaps of(String name) {
        if (name.startsWith(DOCUMENTS_PREFIX)) {
            return DOCUMENTS;
        }
        return !name.startsWith(SIZES_PREFIX) && name.contains(INDEX_INFIX) ? UNIQUE_INDEX : null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // typed by the data types
    <K, V> MVMap.Builder<K, V> builder() {
        return new MVMap.Builder<K, V>().keyType((DataType) keys).valueType((DataType) values);
    }

    /** A value as an earlier release kept it (Java-serialized objects), as this map keeps it. */
    Object converted(Object value) {
        return this == DOCUMENTS ? BsonDocuments.encode((Document) value) : value;
    }
}

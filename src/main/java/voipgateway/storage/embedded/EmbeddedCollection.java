package voipgateway.storage.embedded;

import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.stream.Stream;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractSynchronizedMongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import org.h2.mvstore.MVMap;

/**
 * A collection of the embedded store as the H2 backend keeps one (documents by id, its size in a map of its own), with
 * each document held as its BSON bytes ({@link BsonDocuments}): every read gets its own object.
 */
class EmbeddedCollection extends AbstractSynchronizedMongoCollection<Object> {

    private static final String DATA_SIZE = "dataSize";

    private final MVMap<Object, byte[]> documents;
    private final MVMap<String, Object> sizes;

    EmbeddedCollection(MongoDatabase database, String collectionName, CollectionOptions options,
            MVMap<Object, byte[]> documents, MVMap<String, Object> sizes, CursorRegistry cursors) {
        super(database, collectionName, options, cursors);
        this.documents = documents;
        this.sizes = sizes;
        sizes.putIfAbsent(DATA_SIZE, 0L);
    }

    @Override
    protected void updateDataSize(int sizeDelta) {
        synchronized (sizes) {
            sizes.put(DATA_SIZE, ((Number) sizes.get(DATA_SIZE)).longValue() + sizeDelta);
        }
    }

    @Override
    protected int getDataSize() {
        return ((Number) sizes.get(DATA_SIZE)).intValue();
    }

    @Override
    protected Object addDocumentInternal(Document document) {
        Object id = getIdField() != null ? Utils.getSubdocumentValue(document, getIdField()) : UUID.randomUUID();
        if (documents.putIfAbsent(Missing.ofNullable(id), BsonDocuments.encode(document)) != null) {
            throw new IllegalStateException("Document with key '" + id + "' already existed in " + this);
        }
        return id;
    }

    @Override
    public int count() {
        return documents.size();
    }

    @Override
    public boolean isEmpty() {
        return documents.isEmpty();
    }

    @Override
    protected Document getDocument(Object position) {
        byte[] bson = documents.get(position);
        return bson == null ? null : BsonDocuments.decode(bson);
    }

    @Override
    protected void removeDocument(Object position) {
        if (documents.remove(position) == null) {
            throw new NoSuchElementException("No document with key " + position);
        }
    }

    @Override
    protected Stream<DocumentWithPosition<Object>> streamAllDocumentsWithPosition() {
        return documents.entrySet().stream()
                .map(entry -> new DocumentWithPosition<>(BsonDocuments.decode(entry.getValue()), entry.getKey()));
    }

    @Override
    protected QueryResult matchDocuments(Document query, Document orderBy, int numberToSkip, int limit,
            int batchSize, Document fieldSelector) {
        Stream<Document> all = isNaturalDescending(orderBy)
                ? streamAllDocumentsWithPosition()
                        .sorted((a, b) -> ValueComparator.desc().compare(a.getPosition(), b.getPosition()))
                        .map(DocumentWithPosition::getDocument)
                : documents.values().stream().map(BsonDocuments::decode);
        return matchDocumentsFromStream(all, query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }

    @Override
    protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
        documents.put(Missing.ofNullable(position), BsonDocuments.encode(newDocument));
    }
}

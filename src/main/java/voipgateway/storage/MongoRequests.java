package voipgateway.storage;

import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import org.apache.camel.Message;
import org.apache.camel.component.mongodb.MongoDbConstants;
import org.bson.Document;
import org.bson.conversions.Bson;

/** Puts a query built in Java (never from strings) on a message for the camel-mongodb endpoint. */
public final class MongoRequests {

    private MongoRequests() {
    }

    /**
     * An equality filter on exactly these fields ({@code name, value, name, value, ...}), sent as one flat document.
     * The driver's {@code Filters.and} is sent as {@code $and}, which the embedded server never answers through an
     * index; a flat filter naming exactly the fields of a unique index it answers by one lookup.
     */
    public static Document match(Object... namesAndValues) {
        Document filter = new Document();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            filter.append((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return filter;
    }

    public static void query(Message message, Bson filter) {
        clear(message);
        message.setHeader(MongoDbConstants.CRITERIA, filter);
        message.setBody(null);
    }

    /** A findOneAndUpdate that answers the document as it is after the update. */
    public static void update(Message message, Bson filter, Bson update, boolean upsert) {
        update(message, filter, update, upsert, ReturnDocument.AFTER);
    }

    /** A findOneAndUpdate that answers the document as it was before or is after the update. */
    public static void update(Message message, Bson filter, Bson update, boolean upsert, ReturnDocument answer) {
        clear(message);
        message.setHeader(MongoDbConstants.CRITERIA, filter);
        message.setHeader(MongoDbConstants.OPTIONS, new FindOneAndUpdateOptions().upsert(upsert).returnDocument(answer));
        message.setBody(update);
    }

    /** The options of an earlier request go (a prefix check: removeHeaders' pattern compiles a regex per header). */
    private static void clear(Message message) {
        message.getHeaders().keySet().removeIf(name -> name.startsWith("CamelMongo"));
    }
}

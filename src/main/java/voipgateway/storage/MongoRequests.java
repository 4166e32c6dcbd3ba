package voipgateway.storage;

import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import org.apache.camel.Message;
import org.apache.camel.component.mongodb.MongoDbConstants;
import org.bson.conversions.Bson;

/** Puts a query built in Java (never from strings) on a message for the camel-mongodb endpoint. */
public final class MongoRequests {

    private MongoRequests() {
    }

    public static void query(Message message, Bson filter) {
        message.removeHeaders("CamelMongo*");
        message.setHeader(MongoDbConstants.CRITERIA, filter);
        message.setBody(null);
    }

    /** An update of every document the filter matches. */
    public static void updateMany(Message message, Bson filter, Bson update) {
        message.removeHeaders("CamelMongo*");
        message.setHeader(MongoDbConstants.CRITERIA, filter);
        message.setHeader(MongoDbConstants.MULTIUPDATE, true);
        message.setBody(update);
    }

    /** A findOneAndUpdate that answers the document as it is after the update. */
    public static void update(Message message, Bson filter, Bson update, boolean upsert) {
        message.removeHeaders("CamelMongo*");
        message.setHeader(MongoDbConstants.CRITERIA, filter);
        message.setHeader(MongoDbConstants.OPTIONS,
                new FindOneAndUpdateOptions().upsert(upsert).returnDocument(ReturnDocument.AFTER));
        message.setBody(update);
    }
}

package voipgateway.storage.embedded;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * A stored document in the embedded store: its BSON bytes (the wire's own encoding), encoded once when it is written
 * and decoded into a new object at each read. H2's default type kept the document object in its pages and wrote it
 * again with Java serialization at every commit of a page it sat on: about half the service's CPU and most of its
 * allocation under load (issue 9). Bytes also mean no reader holds the stored object: the server changes the object
 * it read in place during an update, which raced the background writer of the page.
 */
public final class BsonDocuments extends BasicDataType<byte[]> {

    public static final BsonDocuments INSTANCE = new BsonDocuments();

    private BsonDocuments() {
    }

    public static byte[] encode(Document document) {
        ByteBuf encoded = Unpooled.buffer(512);
        BsonEncoder.encodeDocument(document, encoded);
        return ByteBufUtil.getBytes(encoded);
    }

    public static Document decode(byte[] bson) {
        return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(bson));
    }

    @Override
    public int compare(byte[] a, byte[] b) {
        return Arrays.compare(a, b);
    }

    @Override
    public int getMemory(byte[] bson) {
        return 24 + bson.length;
    }

    @Override
    public void write(WriteBuffer buff, byte[] bson) {
        buff.put(bson);
    }

    @Override
    public byte[] read(ByteBuffer buff) {
        // a BSON document starts with its own length (little-endian): nothing else needs storing
        byte[] bson = new byte[buff.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt()];
        buff.get(bson);
        return bson;
    }

    @Override
    public byte[][] createStorage(int size) {
        return new byte[size][];
    }
}

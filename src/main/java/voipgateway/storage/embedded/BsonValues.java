package voipgateway.storage.embedded;

import java.nio.ByteBuffer;
import java.util.Objects;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * A document's {@code _id} (or any single BSON value) in the embedded store: its BSON type byte, then the value as
 * BSON encodes it; ordered as MongoDB orders values. H2's default type wrote such values with Java serialization, and
 * compared two of them by serializing both, at every step of every lookup.
 */
public final class BsonValues extends BasicDataType<Object> {

    public static final BsonValues INSTANCE = new BsonValues();

    /** Not a BSON type: the server's marker for a field that is absent. */
    private static final byte MISSING = 0;

    private static final ValueComparator ORDER = ValueComparator.ascWithoutListHandling();

    private BsonValues() {
    }

    @Override
    public int compare(Object a, Object b) {
        int order = ORDER.compare(a, b);
        if (order != 0 || Objects.equals(a, b)) {
            return order;
        }
        // equal in MongoDB's order yet different (null and a missing field): the encoding tells them apart, so the
        // order is total and consistent with equals
        return ByteBuffer.wrap(bytes(a)).compareTo(ByteBuffer.wrap(bytes(b)));
    }

    @Override
    public int getMemory(Object value) {
        return value instanceof String s ? 40 + 2 * s.length() : 48;
    }

    @Override
    public void write(WriteBuffer buff, Object value) {
        ByteBuf encoded = Unpooled.buffer(32);
        encode(value, encoded);
        buff.put(encoded.array(), encoded.arrayOffset() + encoded.readerIndex(), encoded.readableBytes());
    }

    @Override
    public Object read(ByteBuffer buff) {
        ByteBuf in = Unpooled.wrappedBuffer(buff.slice());
        Object value = decode(in);
        buff.position(buff.position() + in.readerIndex());
        return value;
    }

    @Override
    public Object[] createStorage(int size) {
        return new Object[size];
    }

    static void encode(Object value, ByteBuf out) {
        if (value instanceof Missing) {
            out.writeByte(MISSING);
            return;
        }
        byte type = BsonEncoder.determineType(value);
        out.writeByte(type);
        BsonEncoder.encodeValue(type, value, out);
    }

    static Object decode(ByteBuf in) {
        byte type = in.readByte();
        return type == MISSING ? Missing.getInstance() : BsonDecoder.decodeValue(type, in);
    }

    private static byte[] bytes(Object value) {
        ByteBuf encoded = Unpooled.buffer(32);
        encode(value, encoded);
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes);
        return bytes;
    }
}

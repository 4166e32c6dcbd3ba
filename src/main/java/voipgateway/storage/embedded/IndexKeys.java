package voipgateway.storage.embedded;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.backend.KeyValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * The key of a unique index in the embedded store (the indexed fields' values of one document): their number, then
 * each as {@link BsonValues} writes it; ordered field by field as MongoDB orders values.
 */
public final class IndexKeys extends BasicDataType<KeyValue> {

    public static final IndexKeys INSTANCE = new IndexKeys();

    private IndexKeys() {
    }

    @Override
    public int compare(KeyValue a, KeyValue b) {
        int fields = Math.min(a.size(), b.size());
        for (int i = 0; i < fields; i++) {
            int order = BsonValues.INSTANCE.compare(a.get(i), b.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @Override
    public int getMemory(KeyValue key) {
        int memory = 32;
        for (Object value : key) {
            memory += BsonValues.INSTANCE.getMemory(value);
        }
        return memory;
    }

    @Override
    public void write(WriteBuffer buff, KeyValue key) {
        buff.putVarInt(key.size());
        ByteBuf encoded = Unpooled.buffer(64);
        for (Object value : key) {
            BsonValues.encode(value, encoded);
        }
        buff.put(encoded.array(), encoded.arrayOffset() + encoded.readerIndex(), encoded.readableBytes());
    }

    @Override
    public KeyValue read(ByteBuffer buff) {
        int size = DataUtils.readVarInt(buff);
        ByteBuf in = Unpooled.wrappedBuffer(buff.slice());
        List<Object> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            values.add(BsonValues.decode(in));
        }
        buff.position(buff.position() + in.readerIndex());
        return new KeyValue(values);
    }

    @Override
    public KeyValue[] createStorage(int size) {
        return new KeyValue[size];
    }
}

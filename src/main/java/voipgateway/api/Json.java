package voipgateway.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * The service's one ObjectMapper (the routes' {@code json} data format uses it too: it is in the registry), and the
 * strict reader for what clients send.
 */
public final class Json {

    /**
     * Its read and write buffers come from one pool shared by all threads, not one set per thread: with hundreds of
     * request threads, the per-thread sets held about 10 MB for good.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build());

    /**
     * Client input is read strictly: content after the JSON value, or a key given twice (which value would win
     * is anybody's guess), makes the body unreadable rather than a request.
     */
    public static final ObjectReader STRICT = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private Json() {
    }
}

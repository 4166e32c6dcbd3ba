package voipgateway.api;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/** The service's one ObjectMapper, and the strict reader for what clients send. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

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

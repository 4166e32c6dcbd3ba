package voipgateway.api;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.vertx.core.http.HttpClosedException;
import org.apache.camel.Exchange;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the exception an exchange failed with into the client's answer: status code and a JSON body
 * {error, message, field}. Unexpected exceptions become a generic message: their text may hold anything.
 */
public class ErrorResponses {

    public static final String REASON_PROPERTY = "failureReason";

    private static final String FAILURE_PROPERTY = "failure";
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    /**
     * Decides what the failure means for the client; what is kept of it for diagnosis (masked) becomes property
     * {@code failureReason}.
     */
    public void classify(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException failure = toApiException(cause);
        if (failure.status() == 500) {
            LOG.error("[error] unexpected failure", cause);
        }
        exchange.setProperty(FAILURE_PROPERTY, failure);
        exchange.setProperty(REASON_PROPERTY, failure.diagnosis());
    }

    /** The answer: the status code, and the body {error, message, field}. */
    public Map<String, Object> answer(Exchange exchange) {
        ApiException failure = exchange.getProperty(FAILURE_PROPERTY, ApiException.class);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, failure.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (failure.status() == 429) {
            exchange.getMessage().setHeader("Retry-After", failure.retryAfterSeconds());
        }
        return body(failure);
    }

    public static Map<String, Object> body(ApiException failure) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", failure.error());
        body.put("message", failure.getMessage());
        if (failure.field() != null) {
            body.put("field", failure.field());
        }
        return body;
    }

    public static ApiException toApiException(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
            if (t instanceof DirectConsumerNotAvailableException) {
                // an adapter's file was deleted (or is being replaced) while a call through it was on its way
                return new ApiException(503, "provider_unavailable", null,
                        "the provider's adapter is not loaded (routes/providers/); try again later");
            }
            if (t instanceof CallNotPermittedException) {
                return unavailable("provider circuit is open after repeated failures; try again later");
            }
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
                return unavailable("provider did not answer in time");
            }
            if (t instanceof HttpOperationFailedException http) {
                return unavailable("provider failed with HTTP " + http.getStatusCode());
            }
            if (t instanceof JsonProcessingException) {
                return ApiException.badRequest("body", "body is not valid JSON");
            }
            if (t instanceof MongoWriteException write && write.getError().getCode() == 11000) {
                return ApiException.conflict(null, "it exists already");
            }
            if (t instanceof MongoException) {
                return new ApiException(503, "storage_unavailable", null, "storage is unavailable; try again later");
            }
            if (t instanceof IOException || t instanceof HttpClosedException) {
                return unavailable("provider is unreachable");
            }
        }
        return new ApiException(500, "internal_error", null, "unexpected error; it has been logged");
    }

    private static ApiException unavailable(String message) {
        return new ApiException(503, "provider_unavailable", null, message);
    }
}

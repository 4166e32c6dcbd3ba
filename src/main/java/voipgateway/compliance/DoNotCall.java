package voipgateway.compliance;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.component.mongodb.MongoDbConstants;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;
import voipgateway.calls.IndianPhoneNumbers;
import voipgateway.calls.OutboundCallRequest;
import voipgateway.storage.MongoRequests;

/**
 * A tenant's do-not-call list ({@code dnc}): one document per number, its {@code _id} the tenant and the number
 * as dialled ({@code 0} and 10 digits). The check before every dial answers from memory ({@link DoNotCallLists});
 * a list too long to keep there is read by {@code _id}, however long. Numbers are normalised as calls are: every
 * writing of a number is one entry. Exchange properties of the check: reads {@code tenantId}, {@code request};
 * sets {@code dncChecked} (answered from memory) and then {@code dncEntry} (the number is listed).
 */
public class DoNotCall {

    private static final int MAX_PAGE = 200;

    private final DoNotCallLists lists;

    public DoNotCall(DoNotCallLists lists) {
        this.lists = lists;
    }

    static String id(String tenant, String callTo) {
        return tenant + "|" + callTo;
    }

    /** The check before a dial, from memory: property {@code dncChecked} set when it could answer. */
    public void check(@ExchangeProperty("tenantId") String tenant,
            @ExchangeProperty("request") OutboundCallRequest request, Exchange exchange) {
        Boolean listed = lists.listed(tenant, request.callTo());
        if (listed != null) {
            exchange.setProperty("dncChecked", true);
            exchange.setProperty("dncEntry", listed ? new Document("phone", request.callTo()) : null);
        }
    }

    /** After a change of the tenant's list (its numbers written): counted, so every instance reads it again. */
    public void changed(@ExchangeProperty("tenantId") String tenant) {
        lists.changed(tenant);
    }

    /** The check before a dial, for a list too long to keep in memory: the request's number on the tenant's list. */
    public void queryNumber(@ExchangeProperty("tenantId") String tenant,
            @ExchangeProperty("request") OutboundCallRequest request, Message message) {
        MongoRequests.query(message, Filters.eq("_id", id(tenant, request.callTo())));
    }

    /** {@code POST /dnc {"phone"}}: an upsert (adding a listed number again changes nothing). */
    public void add(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType,
            @ExchangeProperty("tenantId") String tenant, Exchange exchange) {
        String callTo = IndianPhoneNumbers.callTo(JsonRequest.parse(body, contentType, java.util.Set.of("phone"))
                .text("phone"), "phone");
        exchange.setProperty("phone", callTo);
        MongoRequests.update(exchange.getMessage(), Filters.eq("_id", id(tenant, callTo)), upsert(tenant, callTo),
                true);
    }

    /** {@code POST /dnc/import} (text/csv, one number a line, first column): bulk upserts, bad lines reported. */
    public List<WriteModel<Document>> importCsv(@Body String body, @ExchangeProperty("tenantId") String tenant,
            Exchange exchange) {
        List<WriteModel<Document>> writes = new ArrayList<>();
        List<Map<String, Object>> invalid = new ArrayList<>();
        String[] lines = body == null ? new String[0] : body.split("\\r?\\n");
        for (int i = 0; i < lines.length; i++) {
            String value = lines[i].split(",", 2)[0].trim().replace("\"", "");
            if (value.isEmpty() || (i == 0 && !value.matches(".*[0-9].*"))) {
                continue; // blank line, or a header
            }
            try {
                String callTo = IndianPhoneNumbers.callTo(value, "phone");
                writes.add(new UpdateOneModel<>(Filters.eq("_id", id(tenant, callTo)), upsert(tenant, callTo),
                        new UpdateOptions().upsert(true)));
            } catch (ApiException e) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("line", i + 1);
                line.put("value", value.length() > 40 ? value.substring(0, 40) : value);
                invalid.add(line);
            }
        }
        if (writes.isEmpty()) {
            throw ApiException.badRequest("body", "no phone number in the CSV (one a line, in the first column)");
        }
        exchange.setProperty("invalidLines", invalid);
        exchange.setProperty("importedCount", writes.size());
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(MongoDbConstants.BULK_ORDERED, false);
        return writes;
    }

    public Map<String, Object> imported(@ExchangeProperty("importedCount") int count,
            @ExchangeProperty("invalidLines") List<Map<String, Object>> invalid, Message message) {
        message.removeHeaders("*");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("imported", count);
        answer.put("invalid", invalid);
        return answer;
    }

    private static org.bson.conversions.Bson upsert(String tenant, String callTo) {
        return Updates.combine(Updates.setOnInsert("userId", tenant), Updates.setOnInsert("phone", callTo),
                Updates.setOnInsert("addedAt", new Date()));
    }

    /** {@code DELETE /dnc/{phone}}. */
    public void queryRemoval(@Header("phone") String phone, @ExchangeProperty("tenantId") String tenant, Message message) {
        String callTo = IndianPhoneNumbers.callTo(phone == null ? "" : phone, "phone");
        message.removeHeaders("*");
        message.setHeader(MongoDbConstants.CRITERIA, Filters.eq("_id", id(tenant, callTo)));
        message.setBody(Filters.eq("_id", id(tenant, callTo)));
    }

    public Map<String, Object> removed(@Header(MongoDbConstants.RECORDS_AFFECTED) Long affected, Message message) {
        if (affected == null || affected == 0) {
            throw ApiException.notFound("phone", "the number is not on the do-not-call list");
        }
        message.removeHeaders("*");
        return Map.of("removed", true);
    }

    /** {@code GET /dnc?page=&limit=}: the tenant's numbers in number order. */
    public void queryList(@ExchangeProperty("tenantId") String tenant, @Header("page") String page,
            @Header("limit") String limit, Exchange exchange) {
        int size = whole(limit, "limit", 50, 1, MAX_PAGE);
        int number = whole(page, "page", 1, 1, 100_000);
        exchange.setProperty("page", number);
        exchange.setProperty("limit", size);
        Message message = exchange.getMessage();
        MongoRequests.query(message, Filters.eq("userId", tenant));
        message.setHeader(MongoDbConstants.SORT_BY, new Document("_id", 1));
        message.setHeader(MongoDbConstants.NUM_TO_SKIP, (number - 1) * size);
        message.setHeader(MongoDbConstants.LIMIT, size + 1);
    }

    public Map<String, Object> page(@Body List<Document> found, @ExchangeProperty("page") int page,
            @ExchangeProperty("limit") int limit, Message message) {
        message.removeHeaders("*");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", found.stream().limit(limit).map(d -> Map.of("phone", d.getString("phone"),
                "addedAt", d.getDate("addedAt").toInstant().toString())).toList());
        answer.put("page", page);
        answer.put("limit", limit);
        answer.put("hasMore", found.size() > limit);
        return answer;
    }

    public Map<String, Object> added(@ExchangeProperty("phone") String phone, Message message) {
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        return Map.of("phone", phone, "listed", true);
    }

    private static int whole(String value, String field, int otherwise, int min, int max) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        if (!value.matches("[0-9]{1,9}") || Integer.parseInt(value) < min || Integer.parseInt(value) > max) {
            throw ApiException.badRequest(field, field + " must be a whole number from " + min + " to " + max);
        }
        return Integer.parseInt(value);
    }
}

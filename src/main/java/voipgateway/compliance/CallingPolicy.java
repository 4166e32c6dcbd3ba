package voipgateway.compliance;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.conversions.Bson;
import voipgateway.api.ApiException;
import voipgateway.api.Json;
import voipgateway.api.JsonRequest;
import voipgateway.calls.OutboundCallRequest;
import voipgateway.calls.Verdict;
import voipgateway.storage.MongoRequests;
import voipgateway.storage.ReadCache;

/**
 * The rules checked before every dial: the do-not-call list (property {@code dncEntry}, read by the route) and the
 * calling window of the request's purpose in the callee's zone. A tenant's rules are read once and kept like the
 * other request-path reads (see ReadCache); a change through this instance counts at once.
 * Exchange properties: reads {@code tenantId}, {@code request}, {@code rules}, {@code dncEntry}; sets {@code rules},
 * {@code rulesToRead}, {@code verdict}.
 */
public class CallingPolicy {

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("HH:mm");

    private final CallingRules defaults;
    private final NumberSeries series;
    private final Clock clock;
    private final ReadCache<String, CallingRules> tenants;

    public CallingPolicy(CallingRules defaults, NumberSeries series, Clock clock, Duration maxAge, long maxEntries) {
        this.defaults = defaults;
        this.series = series;
        this.clock = clock;
        this.tenants = new ReadCache<>(maxAge, maxEntries);
    }

    /** The tenant's rules if kept (property {@code rules}); property {@code rulesToRead} when they are not. */
    public void lookUp(@ExchangeProperty("tenantId") String tenant, Exchange exchange) {
        CallingRules rules = tenants.get(tenant);
        exchange.setProperty("rules", rules);
        // the route tests this flag, not the rules: a predicate that does not hold renders both its sides
        exchange.setProperty("rulesToRead", rules == null);
    }

    public void queryTenant(@ExchangeProperty("tenantId") String tenant, Message message) {
        MongoRequests.query(message, Filters.eq("_id", tenant));
    }

    /** The tenant's rules from its document (none stored: the defaults), kept for the next requests. */
    public CallingRules keep(@Body Document tenantDocument, @ExchangeProperty("tenantId") String tenant) {
        CallingRules rules = defaults.over(tenantDocument == null ? null
                : tenantDocument.get("callingRules", Document.class));
        tenants.put(tenant, rules);
        return rules;
    }

    public Verdict verdict(@ExchangeProperty("request") OutboundCallRequest request,
            @ExchangeProperty("rules") CallingRules rules, @ExchangeProperty("dncEntry") Document dncEntry,
            @ExchangeProperty("number") Document number) {
        if (dncEntry != null) {
            return new Verdict("refuse", "dnc", "the number is on this tenant's do-not-call list", null);
        }
        String did = number == null ? null : number.getString("phoneNumber");
        if (rules.numberSeries() && did != null && !series.allows(request.purpose(), did)) {
            return new Verdict("refuse", "caller_id_series", request.purpose() + " calls must leave from a number of"
                    + " the " + String.join(" or ", series.of(request.purpose())) + " series; the agent's DID " + did
                    + " is not one (calling rule numberSeries)", null);
        }
        CallingWindow window = rules.window(request.purpose());
        if (window == null) {
            return Verdict.DIAL;
        }
        ZoneId zone = request.calleeTimeZone() != null ? request.calleeTimeZone() : rules.timeZone();
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone));
        if (window.contains(now.toLocalTime())) {
            return Verdict.DIAL;
        }
        ZonedDateTime next = window.nextOpening(now);
        String message = request.purpose() + " calls may ring " + window.from().format(LOCAL) + "-"
                + window.to().format(LOCAL) + " in the callee's time zone (" + zone.getId() + "); next at " + next;
        return new Verdict(request.schedule() ? "schedule" : "refuse", "outside_calling_window", message,
                next.toInstant());
    }

    /** {@code PUT /calling-rules}: the given fields over what the tenant had (an upsert of its document). */
    public void change(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType,
            @ExchangeProperty("tenantId") String tenant, Message message) throws Exception {
        JsonRequest.parse(body, contentType);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = Json.MAPPER.readValue(body, Map.class);
        Document stored = CallingRules.parse(fields);
        if (stored.isEmpty()) {
            throw ApiException.badRequest("body", "give timeZone and/or windows");
        }
        Bson update = Updates.combine(stored.entrySet().stream().flatMap(e -> e.getKey().equals("windows")
                ? ((Document) e.getValue()).entrySet().stream().map(w -> Updates.set("callingRules." + e.getKey() + "." + w.getKey(), w.getValue()))
                : java.util.stream.Stream.of(Updates.set("callingRules." + e.getKey(), e.getValue()))).toList());
        MongoRequests.update(message, Filters.eq("_id", tenant), update, true, ReturnDocument.AFTER);
        tenants.forget(tenant);
    }

    public Map<String, Object> view(@ExchangeProperty("rules") CallingRules rules, Message message) {
        message.removeHeaders("*");
        return rules.view();
    }
}

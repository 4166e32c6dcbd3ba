package voipgateway.usage;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.bson.Document;
import voipgateway.api.ApiException;

/**
 * {@code GET /usage?from=&to=&groupBy=}: a tenant's calls, answered calls, billed seconds and cost by currency,
 * from its days' roll-ups ({@link CallUsage}): one read by {@code _id} a day, so a report costs the same however
 * many calls were made. Days are UTC dates of the calls' creation, {@code from} and {@code to} included.
 */
public class UsageReport {

    static final int MOST_DAYS = 366;

    private final MongoCollection<Document> days;

    public UsageReport(MongoCollection<Document> days) {
        this.days = days;
    }

    public Map<String, Object> report(@Header("from") String from, @Header("to") String to,
            @Header("groupBy") String groupBy, @ExchangeProperty("tenantId") String tenant) {
        LocalDate first = date(from, "from");
        LocalDate last = date(to, "to");
        if (last.isBefore(first)) {
            throw ApiException.badRequest("to", "to must not be before from");
        }
        if (ChronoUnit.DAYS.between(first, last) >= MOST_DAYS) {
            throw ApiException.badRequest("to", "a report covers at most " + MOST_DAYS + " days");
        }
        if (groupBy != null && !CallUsage.GROUPS.containsKey(groupBy)) {
            throw ApiException.badRequest("groupBy", "groupBy must be one of [provider, agent, campaign]");
        }
        Figures total = new Figures();
        Map<String, Figures> groups = new TreeMap<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            Document rolled = days.find(Filters.eq("_id", CallUsage.id(tenant, day.toString()))).first();
            if (rolled == null) {
                continue;
            }
            total.add(rolled.get("total", Document.class));
            if (groupBy != null) {
                Document byGroup = rolled.get(groupBy, new Document());
                byGroup.forEach((key, figures) -> groups.computeIfAbsent(key, k -> new Figures())
                        .add((Document) figures));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("from", first.toString());
        answer.put("to", last.toString());
        answer.put("timeZone", "UTC");
        if (groupBy != null) {
            answer.put("groupBy", groupBy);
        }
        answer.put("total", total.view(null, null));
        if (groupBy != null) {
            answer.put("groups", groups.entrySet().stream()
                    .map(group -> group.getValue().view(groupBy, CallUsage.value(group.getKey())))
                    .toList());
        }
        return answer;
    }

    private static LocalDate date(String value, String field) {
        if (value == null) {
            throw ApiException.badRequest(field, field + " is required (a date, e.g. 2026-12-01)");
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, field + " must be a date as yyyy-MM-dd");
        }
    }

    /** Sums of a scope's figures over days. */
    private static final class Figures {
        private long calls;
        private long answered;
        private long billedSeconds;
        private final Map<String, Long> cost = new TreeMap<>();

        void add(Document figures) {
            if (figures == null) {
                return;
            }
            calls += number(figures, "calls");
            answered += number(figures, "answered");
            billedSeconds += number(figures, "billedSeconds");
            figures.get("cost", new Document()).forEach((currency, micros) ->
                    cost.merge(currency, ((Number) micros).longValue(), Long::sum));
        }

        Map<String, Object> view(String groupBy, String value) {
            Map<String, Object> view = new LinkedHashMap<>();
            if (groupBy != null) {
                view.put(groupBy, value);
            }
            view.put("calls", calls);
            view.put("answered", answered);
            view.put("billedSeconds", billedSeconds);
            Map<String, Object> amounts = new LinkedHashMap<>();
            cost.forEach((currency, micros) -> amounts.put(currency, CallPrices.amount(micros).toPlainString()));
            view.put("cost", amounts);
            return view;
        }

        private static long number(Document figures, String field) {
            Number value = figures.get(field, Number.class);
            return value == null ? 0 : value.longValue();
        }
    }
}

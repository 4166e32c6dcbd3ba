package voipgateway.campaigns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.Ids;
import voipgateway.calls.IndianPhoneNumbers;
import voipgateway.compliance.DoNotCallLists;

/**
 * A campaign's leads: in a collection of the campaign's own ({@code campaign_leads_<id>}), so reading or counting
 * them costs what the campaign holds, never what every campaign ever held. Each lead's {@code _id} is its place in
 * the campaign (1, 2, ...), which the dialer walks by {@code _id}; {@code leadId} and the number as dialled are
 * unique in it. Rows come as JSON or CSV, read a row at a time and written a thousand at a time: an upload of
 * 100,000 leads never holds 100,000 leads. Every row is checked; a rejected one is reported with its reason.
 */
public class CampaignLeads {

    static final int BATCH = 1000;
    private static final int REJECTIONS_SHOWN = 1000;
    private static final int MAX_VARIABLES = 20;
    private static final int MAX_VARIABLE_LENGTH = 256;

    /** A row as given: where it came from (a CSV line, an array index), its fields. */
    public record Row(int line, String leadId, String toPhone, Map<String, String> variables) {
    }

    /** What an upload did: leads accepted, and the rows refused (the first thousand, and how many in all). */
    public record Imported(int accepted, int rejectedCount, List<Map<String, Object>> rejected) {
    }

    private final MongoDatabase db;
    private final MongoCollection<Document> campaigns;
    private final DoNotCallLists doNotCall;

    public CampaignLeads(MongoDatabase db, DoNotCallLists doNotCall) {
        this.db = db;
        this.campaigns = db.getCollection(Campaigns.COLLECTION);
        this.doNotCall = doNotCall;
    }

    public static MongoCollection<Document> of(MongoDatabase db, String campaignId) {
        return db.getCollection("campaign_leads_" + campaignId);
    }

    /** A new campaign's leads collection, its uniques in place before the first lead. */
    public void prepare(String campaignId) {
        MongoCollection<Document> leads = of(db, campaignId);
        leads.createIndex(Indexes.ascending("leadId"), new IndexOptions().unique(true).name("leadId"));
        leads.createIndex(Indexes.ascending("callTo"), new IndexOptions().unique(true).name("callTo"));
        leads.createIndex(Indexes.ascending("_id", "version"), new IndexOptions().unique(true));
    }

    /** Checks and stores the rows, a batch at a time, numbered after the campaign's leads so far. */
    public Imported add(String campaignId, String tenant, Iterator<Row> rows) {
        MongoCollection<Document> leads = of(db, campaignId);
        int accepted = 0;
        int rejectedCount = 0;
        List<Map<String, Object>> rejected = new ArrayList<>();
        while (rows.hasNext()) {
            List<Row> batch = new ArrayList<>();
            List<Document> valid = new ArrayList<>();
            while (rows.hasNext() && valid.size() < BATCH) {
                Row row = rows.next();
                String reason = problem(row, tenant);
                if (reason != null) {
                    rejectedCount += reject(rejected, row, reason);
                    continue;
                }
                batch.add(row);
                Document lead = new Document("leadId", row.leadId()).append("toPhone", row.toPhone())
                        .append("callTo", IndianPhoneNumbers.callTo(row.toPhone(), "toPhone"))
                        .append("state", CampaignDialer.QUEUED).append("attempts", 0).append("version", 1);
                if (!row.variables().isEmpty()) {
                    lead.append("variables", new Document(row.variables()));
                }
                valid.add(lead);
            }
            if (valid.isEmpty()) {
                continue;
            }
            // the batch's places in the campaign, taken in one write
            int last = campaigns.findOneAndUpdate(Filters.eq("_id", campaignId), Updates.inc("leadCount", valid.size()),
                    new com.mongodb.client.model.FindOneAndUpdateOptions()
                            .returnDocument(com.mongodb.client.model.ReturnDocument.AFTER)).getInteger("leadCount");
            for (int i = 0; i < valid.size(); i++) {
                valid.get(i).append("_id", last - valid.size() + 1 + i);
            }
            int refused = 0;
            try {
                leads.insertMany(valid, new InsertManyOptions().ordered(false));
            } catch (MongoBulkWriteException e) {
                for (BulkWriteError error : e.getWriteErrors()) {
                    String message = error.getMessage();
                    String reason = message.contains("callTo") ? "duplicate number" : message.contains("leadId")
                            ? "duplicate leadId" : "not stored";
                    rejectedCount += reject(rejected, batch.get(error.getIndex()), reason);
                    refused++;
                }
            }
            if (refused > 0) {
                // their places stay empty (the dialer passes them): counted, so the campaign's leads add up
                campaigns.updateOne(Filters.eq("_id", campaignId), Updates.inc("gaps", refused));
            }
            accepted += valid.size() - refused;
        }
        return new Imported(accepted, rejectedCount, rejected);
    }

    /** A campaign's counts from its leads (a count lost to a crash is right again): the updates that set them. */
    public List<org.bson.conversions.Bson> recount(String campaignId) {
        Document outcomes = new Document();
        int attempts = 0;
        for (Document lead : of(db, campaignId).find().batchSize(BATCH)) {
            attempts += lead.getInteger("attempts", 0);
            if (lead.getString("outcome") != null) {
                outcomes.merge(lead.getString("outcome"), 1, (a, b) -> (Integer) a + (Integer) b);
            }
        }
        return List.of(Updates.set("outcomes", outcomes), Updates.set("attempts", attempts));
    }

    private String problem(Row row, String tenant) {
        if (row.leadId() == null || !Ids.isValid(row.leadId())) {
            return "leadId must be 1-64 letters, digits, '-' or '_'";
        }
        String callTo;
        try {
            callTo = IndianPhoneNumbers.callTo(row.toPhone() == null ? "" : row.toPhone(), "toPhone");
        } catch (ApiException e) {
            return "bad number: " + e.getMessage();
        }
        if (row.variables().size() > MAX_VARIABLES) {
            return "more than " + MAX_VARIABLES + " variables";
        }
        for (Map.Entry<String, String> variable : row.variables().entrySet()) {
            if (!Ids.isValid(variable.getKey()) || variable.getValue().length() > MAX_VARIABLE_LENGTH) {
                return "variable '" + Ids.safe(variable.getKey()) + "': a name of letters, digits, '-' or '_', a value"
                        + " of at most " + MAX_VARIABLE_LENGTH + " characters";
            }
        }
        if (doNotCall.listedNow(tenant, callTo)) {
            return "on the do-not-call list";
        }
        return null;
    }

    private static int reject(List<Map<String, Object>> rejected, Row row, String reason) {
        if (rejected.size() < REJECTIONS_SHOWN) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("row", row.line());
            entry.put("leadId", row.leadId() == null ? null : Ids.safe(row.leadId()));
            entry.put("reason", reason);
            rejected.add(entry);
        }
        return 1;
    }

    /** The rows of a JSON array of {@code {leadId, toPhone, variables?}} (row: its index from 1). */
    public static Iterator<Row> fromJson(JsonNode leads) {
        if (!leads.isArray()) {
            throw ApiException.badRequest("leads", "leads must be an array of {leadId, toPhone, variables?}");
        }
        Iterator<JsonNode> items = leads.elements();
        return new Iterator<>() {
            private int index;

            @Override
            public boolean hasNext() {
                return items.hasNext();
            }

            @Override
            public Row next() {
                JsonNode item = items.next();
                index++;
                Map<String, String> variables = new LinkedHashMap<>();
                item.path("variables").fields().forEachRemaining(e -> variables.put(e.getKey(), e.getValue().asText()));
                return new Row(index, text(item.get("leadId")), text(item.get("toPhone")), variables);
            }
        };
    }

    /**
     * The rows of a CSV upload whose first line names its columns: {@code leadId}, {@code toPhone}, and any others
     * (each a variable of the lead). Read a line at a time; quoted fields may hold commas and doubled quotes.
     */
    public static Iterator<Row> fromCsv(InputStream csv) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(csv, StandardCharsets.UTF_8));
        List<String> header;
        try {
            String first = reader.readLine();
            header = first == null ? List.of() : fields(first.replace("\uFEFF", ""));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int leadColumn = header.indexOf("leadId");
        int phoneColumn = header.indexOf("toPhone");
        if (leadColumn < 0 || phoneColumn < 0) {
            throw ApiException.badRequest("body", "the CSV's first line must name its columns, leadId and toPhone"
                    + " among them");
        }
        return new Iterator<>() {
            private int line = 1;
            private String next = read();

            private String read() {
                try {
                    String text;
                    do {
                        text = reader.readLine();
                        line++;
                    } while (text != null && text.isBlank());
                    return text;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Row next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                List<String> values = fields(next);
                int at = line;
                next = read();
                Map<String, String> variables = new LinkedHashMap<>();
                for (int i = 0; i < header.size() && i < values.size(); i++) {
                    if (i != leadColumn && i != phoneColumn && !values.get(i).isEmpty()) {
                        variables.put(header.get(i), values.get(i));
                    }
                }
                return new Row(at, value(values, leadColumn), value(values, phoneColumn), variables);
            }
        };
    }

    static List<String> fields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                field.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(field.toString().trim());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString().trim());
        return fields;
    }

    private static String value(List<String> values, int column) {
        return column < values.size() && !values.get(column).isEmpty() ? values.get(column) : null;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText().trim();
    }
}

package voipgateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import voipgateway.simulator.LoopbackSimulator;
import voipgateway.simulator.SimulatorSettings;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A campaign as a dialer team runs one: a thousand leads against the provider simulator (some busy, some not
 * answering), paused and resumed, the service restarted under it; every lead dialled once per attempt, retried as
 * the campaign says, its results complete and its counts adding up.
 */
class CampaignsTest extends GatewayTestSupport {

    private static final int LEADS = 1000;
    private LoopbackSimulator simulator;
    private int simulatorPort;

    @Override
    protected Map<String, String> properties() {
        // calls cut off by the restart are never reported: settled unknown soon, not in an hour
        return Map.of("voip.max-call-seconds", "3", "voip.call-grace-seconds", "1", "voip.sweeper-period-ms", "500",
                "voip.campaigns.tick-ms", "200");
    }

    @BeforeAll
    void startSimulator() {
        SimulatorSettings settings = new SimulatorSettings();
        settings.tokenLatencyMs = 10;
        settings.dialLatencyMs = "5-20";
        settings.callbackDelayMs = 200;
        settings.busyRate = 0.2;
        settings.noAnswerRate = 0.1;
        simulator = new LoopbackSimulator(settings);
        simulatorPort = simulator.port();
    }

    @AfterAll
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void aThousandLeadsPausedResumedAndRestartedEachDialledOncePerAttempt() throws Exception {
        lineOf(LoopbackSimulator.sansPbxAccount(simulatorPort));

        List<Map<String, Object>> leads = new ArrayList<>();
        for (int i = 0; i < LEADS; i++) {
            leads.add(Map.of("leadId", String.format("lead-%04d", i), "toPhone", String.format("0900%07d", i)));
        }
        // rows refused with their reason: a bad number, a duplicate
        leads.add(Map.of("leadId", "bad-number", "toPhone", "12"));
        leads.add(Map.of("leadId", "lead-0001", "toPhone", "09111111111"));
        Response created = send("POST", "/campaigns", Map.of("name", "December", "agentId", AGENT,
                "maxConcurrentCalls", 40, "leads", leads,
                "retry", Map.of("on", List.of("busy", "no_answer"), "maxAttempts", 2, "delaySeconds", 1)));
        assertEquals(201, created.status(), created.body());
        String id = created.json().get("id").asText();
        assertEquals("draft", created.json().get("status").asText());
        assertEquals(LEADS, created.json().at("/imported/accepted").asInt(), created.body());
        assertEquals(LEADS, created.json().get("leads").asInt());
        assertEquals(LEADS, created.json().at("/counts/queued").asInt());
        assertEquals(2, created.json().at("/imported/rejectedCount").asInt());
        assertTrue(created.json().at("/imported/rejected/0/reason").asText().startsWith("bad number"), created.body());
        assertEquals("duplicate leadId", created.json().at("/imported/rejected/1/reason").asText());

        assertEquals(200, send("POST", "/campaigns/" + id + "/start", null).status());
        await("a third of the leads done").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> done(campaign(id)) >= LEADS / 3);
        Response paused = send("POST", "/campaigns/" + id + "/pause", null);
        assertEquals(200, paused.status(), paused.body());
        await("the calls in flight ended").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> campaign(id).at("/counts/dialing").asInt() == 0);
        int placedWhilePaused = placed();

        stop();
        start();
        assertEquals("paused", campaign(id).get("status").asText());
        // the dialer looks at it, and dials nothing while it is paused
        org.apache.camel.builder.NotifyBuilder looks = new org.apache.camel.builder.NotifyBuilder(
                gateway.getCamelContext()).fromRoute("dial-campaigns").whenDone(3).create();
        assertTrue(looks.matches(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(placedWhilePaused, placed());
        assertEquals(409, send("POST", "/campaigns/" + id + "/pause", null).status());
        assertEquals(200, send("POST", "/campaigns/" + id + "/resume", null).status());
        await("two thirds done").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> done(campaign(id)) >= 2 * LEADS / 3);
        assertTrue(placed() > placedWhilePaused);
        // a restart of a running campaign, calls in flight
        stop();
        start();
        JsonNode finished = await("completed").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                .until(() -> campaign(id), c -> c.get("status").asText().equals("completed"));

        // every lead has its outcome, and the counts add up to the leads
        JsonNode counts = finished.get("counts");
        int outcomes = 0;
        for (String outcome : List.of("completed", "busy", "no_answer", "failed", "canceled", "refused", "unknown")) {
            outcomes += counts.get(outcome).asInt();
        }
        assertEquals(LEADS, outcomes, counts.toString());
        assertEquals(0, counts.get("queued").asInt() + counts.get("dialing").asInt() + counts.get("waiting").asInt());

        Response results = send("GET", "/campaigns/" + id + "/results.csv", null);
        assertEquals(200, results.status());
        String[] lines = results.body().split("\n");
        assertEquals("leadId,toPhone,state,outcome,attempts,callId", lines[0]);
        assertEquals(LEADS + 1, lines.length);
        Map<String, Integer> byOutcome = new HashMap<>();
        int attempts = 0;
        for (int i = 1; i < lines.length; i++) {
            String[] fields = lines[i].split(",", -1);
            assertEquals("done", fields[2], lines[i]);
            int made = Integer.parseInt(fields[4]);
            attempts += made;
            byOutcome.merge(fields[3], 1, Integer::sum);
            // retried once after busy or no answer, never after an answer or an unknown outcome
            if (fields[3].equals("busy") || fields[3].equals("no-answer")) {
                assertEquals(2, made, lines[i]);
            } else {
                assertTrue(made == 1 || made == 2, lines[i]);
            }
        }
        assertEquals(counts.get("completed").asInt(), byOutcome.getOrDefault("completed", 0));
        assertEquals(counts.get("busy").asInt(), byOutcome.getOrDefault("busy", 0));
        assertEquals(attempts, finished.get("attempts").asInt());
        assertTrue(byOutcome.getOrDefault("busy", 0) > 0 && byOutcome.getOrDefault("completed", 0) > LEADS / 2,
                byOutcome.toString());

        System.out.println("[campaign] " + LEADS + " leads, " + attempts + " attempts, outcomes " + byOutcome);
        // each attempt rang once: one call stored per attempt, each placed once at the simulator
        long stored = db().getCollection("calls").countDocuments(new Document("campaignId", id));
        assertEquals(attempts, stored);
        JsonNode simulated = simulator("/simulator/counts");
        assertEquals(0, simulated.path("calls.dialledTwice").asInt(), simulated.toString());
        assertEquals(attempts, simulated.path("calls.placed").asInt(), simulated.toString());
        assertEquals(attempts, db().getCollection("calls").distinct("idempotencyKey", new Document("campaignId", id),
                String.class).into(new ArrayList<>()).size());
    }

    @Test
    void badCampaignsAreRefusedNamingTheField() throws Exception {
        assertField(Map.of("agentId", AGENT), "name");
        assertField(Map.of("name", "x", "agentId", AGENT, "purpose", "spam"), "purpose");
        assertField(Map.of("name", "x", "agentId", AGENT, "maxConcurrentCalls", 0), "maxConcurrentCalls");
        assertField(Map.of("name", "x", "agentId", AGENT, "startAt", "tomorrow"), "startAt");
        assertField(Map.of("name", "x", "agentId", AGENT, "retry", Map.of("on", List.of("answered"),
                "maxAttempts", 2, "delaySeconds", 1)), "retry.on");
        assertEquals(404, send("GET", "/campaigns/cmp_none", null).status());
        assertEquals(404, send("POST", "/campaigns/cmp_none/start", null).status());
    }

    @Test
    void aCsvUploadAddsLeadsToADraftWithEachRowChecked() throws Exception {
        assertEquals(201, send("POST", "/dnc", Map.of("phone", "09000000555")).status());
        String id = send("POST", "/campaigns", Map.of("name", "csv", "agentId", AGENT)).json().get("id").asText();
        Response added = sendRaw("POST", "/campaigns/" + id + "/leads", "text/csv",
                "leadId,toPhone,firstName\na-1,09000000501,\"Asha, Dr\"\na-2,09000000555,Ravi\na-3,123,X\na-1,09000000502,Y\n");
        assertEquals(200, added.status(), added.body());
        assertEquals(1, added.json().at("/imported/accepted").asInt(), added.body());
        assertEquals(List.of("on the do-not-call list", "bad number", "duplicate leadId"), List.of(
                added.json().at("/imported/rejected/0/reason").asText(),
                added.json().at("/imported/rejected/1/reason").asText().substring(0, 10),
                added.json().at("/imported/rejected/2/reason").asText()));
        assertEquals(3, added.json().at("/imported/rejected/0/row").asInt());
        assertEquals(400, sendRaw("POST", "/campaigns/" + id + "/leads", "text/csv", "phone\n0900").status());
        // a refused upload leaves no campaign behind
        int campaigns = send("GET", "/campaigns", null).json().get("campaigns").size();
        Response refused = sendRaw("POST", "/campaigns?name=broken&agentId=" + AGENT, "text/csv", "phone\n0900");
        assertEquals(400, refused.status(), refused.body());
        assertEquals("body", refused.json().get("field").asText());
        assertEquals(campaigns, send("GET", "/campaigns", null).json().get("campaigns").size());
    }

    private void assertField(Map<String, Object> body, String field) throws Exception {
        Response refused = send("POST", "/campaigns", body);
        assertEquals(400, refused.status(), refused.body());
        assertEquals(field, refused.json().get("field").asText(), refused.body());
    }

    private JsonNode campaign(String id) throws Exception {
        Response answer = send("GET", "/campaigns/" + id, null);
        assertEquals(200, answer.status(), answer.body());
        return answer.json();
    }

    private static int done(JsonNode campaign) {
        int done = 0;
        for (JsonNode count : campaign.get("counts")) {
            done += count.asInt();
        }
        JsonNode counts = campaign.get("counts");
        return done - counts.get("queued").asInt() - counts.get("dialing").asInt() - counts.get("waiting").asInt();
    }

    private int placed() throws Exception {
        return simulator("/simulator/counts").path("calls.placed").asInt();
    }

    private JsonNode simulator(String path) throws Exception {
        return send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + simulatorPort + path))
                .GET()).json();
    }
}

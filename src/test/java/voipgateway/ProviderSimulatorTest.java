package voipgateway;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vertx.core.Vertx;
import org.apache.camel.test.AvailablePortFinder;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import voipgateway.simulator.ProviderSimulator;
import voipgateway.simulator.SimulatorSettings;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standalone provider simulator as the gateway meets it: SansPBX and Twilio accounts pointed at it, calls
 * placed, its status reports applied, its faults injected, and its counts telling what it received.
 */
class ProviderSimulatorTest extends GatewayTestSupport {

    private static final String TWILIO_DID = "+14155550100";

    private Vertx vertx;
    private ProviderSimulator simulator;
    private int simulatorPort;

    /** Prices looked up a second after a call's end, and again a second later while the provider has none. */
    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.prices.lookup-delays-seconds", "1, 1, 1");
    }

    @Override
    protected List<String> secrets() {
        SimulatorSettings defaults = new SimulatorSettings();
        List<String> secrets = new java.util.ArrayList<>(super.secrets());
        secrets.addAll(List.of(defaults.twilioAuthToken, defaults.sansPbxAccessToken, defaults.sansPbxAccessKey,
                defaults.sansPbxPassword));
        return secrets;
    }

    @BeforeAll
    void startSimulator() {
        vertx = Vertx.vertx();
        simulatorPort = AvailablePortFinder.getNextAvailable();
        simulator = new ProviderSimulator(vertx, new SimulatorSettings());
        simulator.start("127.0.0.1", simulatorPort).toCompletionStage().toCompletableFuture().join();
    }

    @AfterAll
    void stopSimulator() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Fast latencies, no faults, counts from zero: each test sets the faults it injects. */
    @BeforeEach
    void quickAndPolite() throws Exception {
        assertEquals(200, simulatorRequest("PUT", "/simulator/settings", "{\"tokenLatencyMs\": 10, \"dialLatencyMs\":"
                + " \"20-40\", \"callbackDelayMs\": 200, \"resetRate\": 0, \"timeoutRate\": 0, \"callbackMissingRate\": 0,"
                + " \"callbackDuplicateRate\": 0, \"callbackOutOfOrderRate\": 0, \"rejectedRate\": 0,"
                + " \"invalidNumberRate\": 0, \"machineRate\": 0}").status());
        simulatorRequest("POST", "/simulator/reset", "");
    }

    @Test
    void sansPbxCallsAreReportedAppliedAndCounted() throws Exception {
        sansPbxAccountOnTheSimulator();
        String first = call("09000000001").json().get("id").asText();
        String second = call("09000000002").json().get("id").asText();

        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(storedCall(first).getString("status"))
                && "completed".equals(storedCall(second).getString("status")));
        await().atMost(Duration.ofSeconds(30)).until(() -> counts().get("calls.finalAcknowledged").asInt() == 2);
        var counts = counts();
        assertEquals(2, counts.get("requests.sanspbx.dialcall").asInt(), counts.toString());
        assertEquals(2, counts.get("calls.placed").asInt());
        assertEquals(0, counts.get("calls.dialledTwice").asInt());
        assertNotNull(storedCall(first).get("durationSeconds"), "the report's duration is stored");
    }

    @Test
    void aConnectionClosedAfterTheDialLeavesTheCallUnknownNeverPlacedTwiceAndItsReportStillApplies()
            throws Exception {
        sansPbxAccountOnTheSimulator();
        assertEquals(200, simulatorRequest("PUT", "/simulator/settings", "{\"resetRate\": 1}").status());

        Response lost = callWithKey("reset-1", "09000000003");
        Response again = callWithKey("reset-1", "09000000003");

        assertEquals("unknown", lost.json().get("status").asText(), lost.body());
        assertEquals(lost.body(), again.body(), "the same key, the same answer");
        String id = lost.json().get("id").asText();
        // the PBX placed it: its post-call report (matched by our record id) ends the call
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(storedCall(id).getString("status")));
        var counts = counts();
        assertEquals(1, counts.get("answers.reset").asInt(), counts.toString());
        assertEquals(1, counts.get("calls.placed").asInt());
        assertEquals(0, counts.get("calls.dialledTwice").asInt());
    }

    @Test
    void twilioCallsGetSignedEventsInAnyOrderAndTheHangUpEndsThem() throws Exception {
        twilioAccountOnTheSimulator();
        assertEquals(200, simulatorRequest("PUT", "/simulator/settings",
                "{\"callbackOutOfOrderRate\": 1, \"callbackDelayMs\": 300}").status());

        String reordered = call("09000000004").json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> counts().path("callbacks.acknowledged").asInt() == 4);
        assertEquals("completed", storedCall(reordered).getString("status"), "earlier events after it change nothing");

        assertEquals(200, simulatorRequest("PUT", "/simulator/settings",
                "{\"callbackOutOfOrderRate\": 0, \"callbackDelayMs\": 600000}").status());
        String live = call("09000000005").json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "answered".equals(storedCall(live).getString("status")));
        assertEquals(202, send("POST", "/calls/" + live + "/hangup", Map.of()).status());
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(storedCall(live).getString("status")));
        var counts = counts();
        assertEquals(1, counts.get("requests.twilio.hangup").asInt(), counts.toString());
        assertEquals(0, counts.path("callbacks.refused").asInt(), "every event signed as the gateway checks it");
        assertEquals(0, counts.get("calls.dialledTwice").asInt());
    }

    /** Machine detection's verdicts by rate, and SIP codes of declines and numbers that do not exist. */
    @Test
    void twilioPlaysMachineVerdictsAndSipCodes() throws Exception {
        twilioAccountOnTheSimulator();
        assertEquals(200, simulatorRequest("PUT", "/simulator/settings", "{\"machineRate\": 1}").status());
        String machine = callWithKey("sim-amd", Map.of("toPhone", "09000000006", "machineDetection", "detect"))
                .json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "machine".equals(storedCall(machine).getString("outcome")));
        assertEquals("machine", storedCall(machine).getString("machineVerdict"));
        assertEquals(1, counts().get("callbacks.machine-detection").asInt());

        assertEquals(200, simulatorRequest("PUT", "/simulator/settings", "{\"rejectedRate\": 1}").status());
        String declined = call("09000000007").json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "rejected".equals(storedCall(declined).getString("outcome")));
        assertEquals(603, storedCall(declined).get("cause", Document.class).getInteger("sip"));
        assertEquals(true, storedCall(declined).getBoolean("permanent"));
        assertEquals(200, simulatorRequest("PUT", "/simulator/settings",
                "{\"rejectedRate\": 0, \"invalidNumberRate\": 1}").status());
        String invalid = call("09000000008").json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(storedCall(invalid).getString("status")));
        assertEquals(404, storedCall(invalid).get("cause", Document.class).getInteger("sip"));
    }

    /** The simulator serves the recordings it reports, with the account's credentials; the gateway passes them on. */
    @Test
    void recordingsTheSimulatorReportsArePassedOn() throws Exception {
        sansPbxAccountOnTheSimulator();
        String sansPbx = call("09000000009").json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCall(sansPbx).get("recordingUrl") != null);
        assertRecording(sansPbx);
        assertEquals(1, counts().get("requests.sanspbx.recording").asInt(), "fetched with the account's token");

        db().getCollection("voipproviders").deleteMany(new Document());
        twilioAccountOnTheSimulator();
        String twilio = callWithKey("sim-rec", Map.of("toPhone", "09000000010", "record", true)).json().get("id")
                .asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCall(twilio).get("recordingUrl") != null);
        assertRecording(twilio);
        assertEquals(1, counts().get("requests.twilio.recording").asInt());
    }

    private void assertRecording(String callId) throws Exception {
        java.net.http.HttpResponse<byte[]> audio = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(uri("/calls/" + callId + "/recording"))
                        .header("Authorization", "Bearer " + API_KEY).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, audio.statusCode());
        org.junit.jupiter.api.Assertions.assertArrayEquals(voipgateway.demo.DemoAudio.wav(), audio.body());
        assertEquals("audio/wav", audio.headers().firstValue("content-type").orElseThrow());
    }

    /**
     * Three hundred calls through two providers and two agents, some busy or unanswered, Twilio's priced only at a
     * second lookup: GET /usage agrees with the calls it sums, in all, by provider and by agent.
     */
    @Test
    void usageAgreesWithTheCallsItSumsLatePricesIncluded() throws Exception {
        assertEquals(200, simulatorRequest("PUT", "/simulator/settings", "{\"busyRate\": 0.2, \"noAnswerRate\": 0.1,"
                + " \"callbackDelayMs\": 300, \"dialLatencyMs\": \"1-5\", \"priceLateLookups\": 1}").status());
        try {
            twilioAccountOnTheSimulator();
            Response sansPbx = send("POST", "/voip/add-provider",
                    voipgateway.simulator.LoopbackSimulator.sansPbxAccount(simulatorPort));
            assertEquals(201, sansPbx.status(), sansPbx.body());
            assertEquals(200, send("PUT", "/voip/assign-number/" + sansPbx.json().at("/provider/dids/0/id").asText(),
                    Map.of("agentId", "agent-2")).status());
            int calls = 300;
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<Integer>> placed = new java.util.ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int n = i;
                placed.add(callers.submit(() -> send(java.net.http.HttpRequest.newBuilder(uri("/calls/outbound"))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + API_KEY)
                        .header("Idempotency-Key", "usage-" + n)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                                "agentId", n % 3 == 0 ? "agent-2" : AGENT, "leadId", "lead-" + n,
                                "toPhone", String.format("09%09d", n)))))).status()));
            }
            for (java.util.concurrent.Future<Integer> call : placed) {
                assertEquals(201, call.get());
            }
            callers.shutdown();
            // every call ended, and every Twilio call priced (at its second lookup)
            await().atMost(Duration.ofSeconds(90)).until(() -> db().getCollection("calls").countDocuments(
                    new Document("statusRank", 4)) == calls && db().getCollection("calls").countDocuments(
                    new Document("provider", "Twilio").append("priceMicros", null)) == 0);
            assertEquals(2 * 200, counts().get("requests.twilio.call").asInt(), "each priced at its second lookup");

            String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
            String from = java.time.LocalDate.parse(today).minusDays(1).toString();
            String to = java.time.LocalDate.parse(today).plusDays(1).toString();
            for (String[] group : new String[][] {{"provider", "provider"}, {"agent", "agentId"}}) {
                Response usage = send("GET", "/usage?from=" + from + "&to=" + to + "&groupBy=" + group[0], null);
                assertEquals(200, usage.status(), usage.body());
                Map<String, Map<String, Object>> expected = new java.util.TreeMap<>();
                for (Document call : db().getCollection("calls").find()) {
                    Map<String, Object> sums = expected.computeIfAbsent(call.getString(group[1]),
                            k -> new java.util.HashMap<>(Map.of("calls", 0L, "answered", 0L, "billedSeconds", 0L,
                                    "micros", 0L)));
                    boolean answered = "completed".equals(call.getString("status"));
                    sums.merge("calls", 1L, (a, b) -> (Long) a + (Long) b);
                    sums.merge("answered", answered ? 1L : 0L, (a, b) -> (Long) a + (Long) b);
                    long billed = call.get("billSeconds") != null ? call.getInteger("billSeconds")
                            : answered ? call.getInteger("durationSeconds") : 0;
                    sums.merge("billedSeconds", billed, (a, b) -> (Long) a + (Long) b);
                    sums.merge("micros", call.get("priceMicros") == null ? 0L : call.getLong("priceMicros"),
                            (a, b) -> (Long) a + (Long) b);
                }
                com.fasterxml.jackson.databind.JsonNode groups = usage.json().get("groups");
                assertEquals(expected.size(), groups.size(), usage.body());
                for (com.fasterxml.jackson.databind.JsonNode shown : groups) {
                    Map<String, Object> sums = expected.get(shown.get(group[0]).asText());
                    assertEquals(sums.get("calls"), shown.get("calls").asLong(), shown.toString());
                    assertEquals(sums.get("answered"), shown.get("answered").asLong(), shown.toString());
                    assertEquals(sums.get("billedSeconds"), shown.get("billedSeconds").asLong(), shown.toString());
                    long micros = (Long) sums.get("micros");
                    assertEquals(micros == 0 ? null : voipgateway.usage.CallPrices.amount(micros).toPlainString(),
                            shown.at("/cost/USD").isMissingNode() ? null : shown.at("/cost/USD").asText(),
                            shown.toString());
                }
                assertEquals(calls, usage.json().at("/total/calls").asInt());
            }
            long answered = db().getCollection("calls").countDocuments(new Document("status", "completed"));
            assertTrue(answered > 150 && answered < calls, "some busy or unanswered: " + answered);
        } finally {
            assertEquals(200, simulatorRequest("PUT", "/simulator/settings", "{\"busyRate\": 0, \"noAnswerRate\": 0,"
                    + " \"priceLateLookups\": 1}").status());
        }
    }

    @Test
    void settingsAreCheckedByName() throws Exception {
        Response unknown = simulatorRequest("PUT", "/simulator/settings", "{\"resetRat\": 1}");
        assertEquals(400, unknown.status());
        assertEquals("resetRat", unknown.json().get("field").asText());
        Response tooMuch = simulatorRequest("PUT", "/simulator/settings", "{\"resetRate\": 0.7, \"slowRate\": 0.7}");
        assertEquals(400, tooMuch.status());
        assertTrue(tooMuch.body().contains("add up to at most 1"), tooMuch.body());
        Response shown = simulatorRequest("GET", "/simulator/settings", null);
        assertEquals("***", shown.json().get("sansPbxPassword").asText(), "credentials are not shown");
    }

    private void twilioAccountOnTheSimulator() throws Exception {
        Map<String, Object> account = new LinkedHashMap<>();
        SimulatorSettings defaults = new SimulatorSettings();
        account.put("provider", "Twilio");
        account.put("accountSid", defaults.twilioAccountSid);
        account.put("authToken", defaults.twilioAuthToken);
        account.put("apiBaseUrl", "http://127.0.0.1:" + simulatorPort);
        account.put("did", TWILIO_DID);
        Response added = send("POST", "/voip/add-provider", account);
        assertEquals(201, added.status(), added.body());
        assertEquals(200, send("PUT", "/voip/assign-number/" + added.json().at("/provider/dids/0/id").asText(),
                Map.of("agentId", AGENT)).status());
    }

    private void sansPbxAccountOnTheSimulator() throws Exception {
        lineOf(voipgateway.simulator.LoopbackSimulator.sansPbxAccount(simulatorPort));
    }

    private com.fasterxml.jackson.databind.JsonNode counts() throws Exception {
        return simulatorRequest("GET", "/simulator/counts", null).json();
    }

    private Response simulatorRequest(String method, String path, String body) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + simulatorPort + path));
        request.method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        return send(request);
    }
}

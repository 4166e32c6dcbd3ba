package voipgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's quickstart: demo mode, no key, the built-in SansPBX simulator, the guide's three calls. */
class DemoQuickstartTest extends GatewayTestSupport {

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.demo", "true", "voip.encryption-key", "",
                "simulator.sanspbx.callback-delay-seconds", "1");
    }

    @Test
    void placesACallEndToEndAgainstTheSimulator() throws Exception {
        Response added = send("POST", "/voip/add-provider", simulatorProviderBody());
        assertEquals(201, added.status(), added.body());
        String numberId = added.json().at("/provider/dids/0/id").asText();
        assertEquals(200, send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT)).status());
        Response call = call("+91 90000 00001");

        assertEquals(201, call.status(), call.body());
        assertEquals("initiated", call.json().get("status").asText());
        JsonNode received = send("GET", "/simulator/sanspbx/requests", null).json();
        assertEquals("gentoken", received.get(0).get("api").asText());
        JsonNode dial = received.get(received.size() - 1);
        assertEquals("dialcall", dial.get("api").asText());
        assertEquals(6, dial.at("/body/appid").asInt());
        assertEquals("09000000001", dial.at("/body/call_to").asText());
        assertEquals("6000001", dial.at("/body/caller_id").asText());
        assertEquals(call.json().get("id").asText(), dial.at("/body/custom_field/record_id").asText());
        String listing = received.toString();
        assertFalse(listing.contains(ACCESS_TOKEN) || listing.contains(ACCESS_KEY), "secrets are masked");
        assertTrue(Files.exists(dataDir.resolve("demo-encryption.key")), "the throwaway key is kept with the data");

        // the simulated PBX reports the call's end by itself, as the quickstart shows
        String callPath = "/calls/" + call.json().get("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                "completed".equals(send("GET", callPath, null).json().get("status").asText()));
        JsonNode completed = send("GET", callPath, null).json();
        assertEquals("ANSWER", completed.at("/statusHistory/0/payload/disposition").asText());
        assertEquals("answered", completed.get("outcome").asText());
        // and its recording, which the simulated PBX serves with the account's token
        Response recording = send("GET", callPath + "/recording", null);
        assertEquals(200, recording.status(), recording.body());
        assertEquals(List.of("audio/wav"), recording.headers().get("content-type"));
        assertTrue(recording.body().startsWith("RIFF"), "a WAV file");

        // the README's log excerpt is what this run printed (times, ports and numbers aside)
        List<String> printed = capturedLogs().lines().map(DemoQuickstartTest::shape).toList();
        for (String line : readmeLogExcerpt()) {
            Matcher parts = Pattern.compile("^\\S+ (\\S+)\\s+\\[[^\\]]*\\] (.*)$").matcher(line);
            assertTrue(parts.matches(), "a README log line as the console prints it: " + line);
            String expected = shape(parts.group(1) + " " + parts.group(2));
            assertTrue(printed.contains(expected), "the run printed no line like: " + line);
        }
    }

    /** A log line with its numbers and runs of spaces made alike. */
    private static String shape(String line) {
        return line.replaceAll("[0-9]+", "#").replaceAll("\\s+", " ").trim();
    }

    private static List<String> readmeLogExcerpt() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```text", readme.indexOf("<!-- log excerpt")) + "```text".length();
        List<String> lines = readme.substring(start, readme.indexOf("```", start)).strip().lines().toList();
        assertTrue(lines.size() >= 5, "the README has its log excerpt");
        return lines;
    }

    /** The README's campaign walk-through: twenty leads as CSV, a webhook at the demo's receiver taking its events. */
    @Test
    void aCampaignOfTwentyLeadsWithItsEventsAtTheDemoWebhookReceiver() throws Exception {
        Response added = send("POST", "/voip/add-provider", simulatorProviderBody());
        assertTrue(added.status() == 201 || added.status() == 200, added.body());
        assertEquals(200, send("PUT", "/voip/assign-number/" + added.json().at("/provider/dids/0/id").asText(),
                Map.of("agentId", AGENT)).status());
        Response webhook = send("POST", "/webhooks", Map.of("url", "http://localhost:" + port + "/simulator/webhooks",
                "events", List.of("campaign.started", "campaign.completed", "call.completed")));
        assertEquals(201, webhook.status(), webhook.body());
        String secret = webhook.json().get("secret").asText();
        StringBuilder csv = new StringBuilder("leadId,toPhone\n");
        for (int i = 1; i <= 20; i++) {
            csv.append(String.format("lead-%02d,0900000%04d%n", i, i));
        }
        Response created = sendRaw("POST", "/campaigns?name=demo&agentId=" + AGENT + "&maxConcurrentCalls=5",
                "text/csv", csv.toString());
        assertEquals(201, created.status(), created.body());
        String id = created.json().get("id").asText();
        assertEquals(200, send("POST", "/campaigns/" + id + "/start", null).status());

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() ->
                "completed".equals(send("GET", "/campaigns/" + id, null).json().get("status").asText()));
        assertEquals(20, send("GET", "/campaigns/" + id, null).json().at("/counts/completed").asInt());
        assertEquals(21, send("GET", "/campaigns/" + id + "/results.csv", null).body().lines().count());
        JsonNode inbox = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> send("GET", "/simulator/webhooks", null).json(), taken -> taken.toString()
                        .contains("campaign.completed"));
        java.util.Set<String> types = new java.util.TreeSet<>();
        java.util.Set<String> calls = new java.util.HashSet<>();
        for (JsonNode delivery : inbox) {
            String body = JSON.writeValueAsString(delivery.get("event"));
            new com.standardwebhooks.Webhook(secret).verify(body, Map.of(
                    "webhook-id", List.of(delivery.get("webhook-id").asText()),
                    "webhook-timestamp", List.of(delivery.get("webhook-timestamp").asText()),
                    "webhook-signature", List.of(delivery.get("webhook-signature").asText())));
            types.add(delivery.at("/event/type").asText());
            if (id.equals(delivery.at("/event/data/campaignId").asText()) && delivery.at("/event/data/callId")
                    .isTextual()) {
                calls.add(delivery.at("/event/data/callId").asText());
            }
        }
        assertEquals(java.util.Set.of("call.completed", "campaign.completed", "campaign.started"), types);
        assertEquals(20, calls.size());
    }

    @Test
    void theSimulatorRefusesWrongCredentials() throws Exception {
        Map<String, Object> provider = simulatorProviderBody();
        provider.put("password", "wrong");

        Response added = send("POST", "/voip/add-provider", provider);

        assertEquals(400, added.status(), added.body());
        assertEquals("invalid_credentials", added.json().get("error").asText());
    }
}

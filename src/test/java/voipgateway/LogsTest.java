package voipgateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;


import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logs that tell the truth: a client's mistake is not an ERROR, a message going back to the broker is one line,
 * a normal shutdown prints no stack trace, and the broker's audit trail stays out.
 */
class LogsTest extends GatewayTestSupport {

    @Test
    void aClientsMistakeIsLoggedAsInfoNotAsAnError() throws Exception {
        int before = capturedLogs().length();
        assertEquals(400, sendRaw("POST", "/calls/outbound", "application/json", "{\"agentId\": 7}").status());
        assertEquals(401, sendAs("wrong-key", "GET", "/calls", null, null).status());

        String logged = capturedLogs().substring(before);
        List<String> refusals = logged.lines().filter(l -> l.contains("[refused]")).toList();
        assertEquals(2, refusals.size(), logged);
        assertTrue(refusals.stream().allMatch(l -> l.startsWith("INFO")), refusals.toString());
        assertTrue(capturedLogs().lines().noneMatch(l -> l.startsWith("ERROR")), capturedLogs());
    }

    @Test
    void aMessageGoingBackToTheBrokerIsOneLineWithoutAStackTrace() throws Exception {
        pbxIssuesToken("jwt-expired", "2000-01-01 00:00:00");
        pbxDials("{\"status\":\"success\",\"call_id\":\"1\"}");
        providerWithAgent();
        pbx.stop();
        try {
            ProducerTemplate producer = gateway.getCamelContext().createProducerTemplate();
            producer.sendBody("jms:queue:voip.outbound-calls", JSON.writeValueAsString(Map.of("requestId", "req-log",
                    "agentId", AGENT, "leadId", LEAD, "toPhone", "09000000001")));
            producer.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> capturedLogs().contains("[error] call request req-log"));
        } finally {
            pbx.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> capturedLogs().contains("[events] request req-log"));

        List<String> lines = capturedLogs().lines().toList();
        List<String> redelivered = lines.stream().filter(l -> l.contains("[error] call request req-log")).toList();
        assertTrue(redelivered.stream().allMatch(l -> l.startsWith("WARN") && l.endsWith("the broker redelivers it")),
                redelivered.toString());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("ERROR")), capturedLogs());
        assertTrue(lines.stream().noneMatch(l -> l.contains("AMQ601")), "no broker audit lines");
    }

    /** A value from outside with CR/LF (and a NUL) in it: one line in the text log, as the shipped layout writes it. */
    @Test
    void aValueWithLineBreaksLeavesOneLineInTheTextLog() throws Exception {
        String written;
        try (LogCapture text = LogCapture.asShipped("text")) {
            Response refused = send("POST", "/calls/outbound", Map.of("agentId", AGENT, "leadId", LEAD,
                    "toPhone", "09000000001", "x\r\nX-Injected: yes\u0000", "1"));
            assertEquals(400, refused.status(), refused.body());
            written = text.text();
        }

        List<String> lines = written.lines().toList();
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("X-Injected")), written);
        assertTrue(lines.stream().anyMatch(l -> l.contains("[refused] 400") && l.contains("x\\r\\nX-Injected: yes?")),
                written);
        assertTrue(written.chars().noneMatch(c -> c == 0), "no NUL written");
    }

    @Test
    void aNormalShutdownPrintsNoStackTrace() {
        int before = capturedLogs().length();
        stop();
        String shutdown = capturedLogs().substring(before);
        start();

        assertTrue(shutdown.contains("shutdown"), shutdown);
        assertTrue(shutdown.lines().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("ERROR")), shutdown);
    }
}

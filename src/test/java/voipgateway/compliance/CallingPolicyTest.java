package voipgateway.compliance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import voipgateway.calls.OutboundCallRequest;
import voipgateway.calls.Verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The calling window with a fixed clock: its edges in IST, a callee in another zone, purposes, do-not-call. */
class CallingPolicyTest {

    private static final ZoneId IST = ZoneId.of("Asia/Kolkata");
    private static final NumberSeries SERIES = new NumberSeries(Map.of("promotional", List.of("140"),
            "service", List.of("160"), "transactional", List.of("1600", "1601")));

    private static CallingPolicy at(String istTime) {
        Instant now = ZonedDateTime.of(2026, 3, 10, 0, 0, 0, 0, IST).with(java.time.LocalTime.parse(istTime))
                .toInstant();
        Map<String, CallingWindow> windows = new HashMap<>();
        windows.put("promotional", CallingWindow.parse("09:00-21:00"));
        windows.put("service", null);
        windows.put("transactional", null);
        return new CallingPolicy(new CallingRules(IST, windows, CallingRules.Retries.NONE, false), SERIES,
                Clock.fixed(now, IST), Duration.ofSeconds(5), 10);
    }

    private static OutboundCallRequest request(String purpose, boolean schedule, String zone) {
        return new OutboundCallRequest("agent", "lead", "9000000001", "09000000001", purpose, schedule,
                zone == null ? null : ZoneId.of(zone));
    }

    private static CallingRules rules(CallingPolicy policy) {
        return policy.keep(null, "tenant");
    }

    @ParameterizedTest
    @CsvSource({"08:59:59, refuse", "09:00:00, dial", "20:59:59, dial", "21:00:00, refuse"})
    void promotionalCallsRingFromNineToNineInIst(String time, String action) {
        CallingPolicy policy = at(time);
        Verdict verdict = policy.verdict(request("promotional", false, null), rules(policy), null, null);
        assertEquals(action, verdict.action());
        if (action.equals("refuse")) {
            assertEquals("outside_calling_window", verdict.reason());
        }
    }

    @Test
    void theNextAllowedTimeIsTheWindowsNextOpening() {
        CallingPolicy evening = at("21:00:00");
        assertEquals(ZonedDateTime.of(2026, 3, 11, 9, 0, 0, 0, IST).toInstant(),
                evening.verdict(request("promotional", false, null), rules(evening), null, null).at());
        CallingPolicy morning = at("08:59:59");
        Verdict scheduled = morning.verdict(request("promotional", true, null), rules(morning), null, null);
        assertEquals("schedule", scheduled.action());
        assertEquals(ZonedDateTime.of(2026, 3, 10, 9, 0, 0, 0, IST).toInstant(), scheduled.at());
    }

    @Test
    void aCalleeInAnotherZoneIsCalledInItsOwnHours() {
        // 09:30 in India is 08:00 in Dubai: not yet; 22:00 in India is 20:30 in Dubai: still
        CallingPolicy morning = at("09:30:00");
        Verdict early = morning.verdict(request("promotional", false, "Asia/Dubai"), rules(morning), null, null);
        assertEquals("refuse", early.action());
        assertEquals(ZonedDateTime.of(2026, 3, 10, 9, 0, 0, 0, ZoneId.of("Asia/Dubai")).toInstant(), early.at());
        CallingPolicy night = at("22:00:00");
        assertTrue(night.verdict(request("promotional", false, "Asia/Dubai"), rules(night), null, null).dial());
    }

    @Test
    void serviceAndTransactionalCallsHaveNoWindowByDefaultAndATenantMaySetOne() {
        CallingPolicy night = at("02:00:00");
        assertTrue(night.verdict(request("service", false, null), rules(night), null, null).dial());
        assertTrue(night.verdict(request("transactional", false, null), rules(night), null, null).dial());

        CallingRules tenant = rules(night).over(new Document("windows", new Document("service", "08:00-20:00")
                .append("promotional", "")));
        assertEquals("refuse", night.verdict(request("service", false, null), tenant, null, null).action());
        assertTrue(night.verdict(request("promotional", false, null), tenant, null, null).dial());
    }

    @Test
    void aNumberOnTheDoNotCallListIsRefusedAtAnyHourAndNeverScheduled() {
        CallingPolicy noon = at("12:00:00");
        Verdict verdict = noon.verdict(request("transactional", true, null), rules(noon), new Document("_id", "x"), null);
        assertEquals("refuse", verdict.action());
        assertEquals("dnc", verdict.reason());
        assertNull(verdict.at());
    }

    @Test
    void aWindowOverMidnight() {
        CallingWindow night = CallingWindow.parse("22:00-06:00");
        assertTrue(night.contains(java.time.LocalTime.of(23, 0)));
        assertTrue(night.contains(java.time.LocalTime.of(5, 59)));
        assertTrue(!night.contains(java.time.LocalTime.of(6, 0)));
        ZonedDateTime noon = ZonedDateTime.of(2026, 3, 10, 12, 0, 0, 0, IST);
        assertEquals(noon.withHour(22), night.nextOpening(noon));
    }

    @Test
    void withTheNumberSeriesRuleEachPurposeLeavesOnlyFromItsSeries() {
        CallingPolicy noon = at("12:00:00");
        CallingRules on = noon.keep(new Document("callingRules", new Document("numberSeries", true)), "series");
        Document ordinary = new Document("phoneNumber", "0124-6000001");
        Document promotional = new Document("phoneNumber", "+91 140 123 4567");
        Document service = new Document("phoneNumber", "1600123456");

        Verdict refused = noon.verdict(request("promotional", false, null), on, null, ordinary);
        assertEquals("refuse", refused.action());
        assertEquals("caller_id_series", refused.reason());
        assertTrue(refused.message().contains("140"), refused.message());
        assertTrue(noon.verdict(request("promotional", false, null), on, null, promotional).dial());
        assertEquals("caller_id_series", noon.verdict(request("promotional", false, null), on, null, service).reason());
        assertTrue(noon.verdict(request("service", false, null), on, null, service).dial());
        assertEquals("caller_id_series", noon.verdict(request("transactional", false, null), on, null,
                new Document("phoneNumber", "1602123456")).reason());
        // off (the default): any number
        assertTrue(noon.verdict(request("promotional", false, null), rules(noon), null, ordinary).dial());
        // the do-not-call list still comes first
        assertEquals("dnc", noon.verdict(request("promotional", false, null), on, new Document("_id", "x"), ordinary)
                .reason());
    }

    @Test
    void aDidIsReadAsItsNationalNumber() {
        assertEquals("1401234567", NumberSeries.national("+91 140-123-4567"));
        assertEquals("1246000001", NumberSeries.national("0124-6000001"));
        assertEquals("9123456789", NumberSeries.national("9123456789"));
        assertEquals("1600123456", NumberSeries.national("911600123456"));
    }
}

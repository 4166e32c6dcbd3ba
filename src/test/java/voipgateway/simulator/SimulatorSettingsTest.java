package voipgateway.simulator;

import java.util.List;

import org.junit.jupiter.api.Test;
import voipgateway.simulator.SimulatorSettings.CallbackFault;
import voipgateway.simulator.SimulatorSettings.Fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatorSettingsTest {

    @Test
    void theDefaultsAreTheGuidesLatenciesWithoutFaults() {
        SimulatorSettings defaults = new SimulatorSettings();
        assertEquals(500, defaults.tokenLatencyMs);
        assertEquals(1000, defaults.dialLatencyMinMs());
        assertEquals(2000, defaults.dialLatencyMaxMs());
        assertEquals(List.of(), defaults.check());
        assertEquals(Fault.NONE, defaults.fault(0.0, false));
        assertEquals(CallbackFault.NONE, defaults.callbackFault(0.0));
    }

    @Test
    void commandLineArgumentsAreSettingsInDashes() throws Exception {
        SimulatorSettings settings = new SimulatorSettings().withArguments(List.of("--dial-latency-ms", "1500",
                "--error-5xx-rate=0.1", "--down", "--callback-missing-rate", "0.02", "--port", "9090"));
        assertEquals(1500, settings.dialLatencyMinMs());
        assertEquals(1500, settings.dialLatencyMaxMs());
        assertEquals(0.1, settings.error5xxRate);
        assertTrue(settings.down);
        assertEquals(0.02, settings.callbackMissingRate);
        assertEquals(500, settings.tokenLatencyMs, "what is not given keeps its default");
    }

    @Test
    void anUnknownSettingOrAWrongValueIsRefusedByName() throws Exception {
        assertThrows(Exception.class, () -> new SimulatorSettings().withArguments(List.of("--eror-rate", "1")));
        assertThrows(Exception.class, () -> new SimulatorSettings().withArguments(List.of("--slow-rate", "often")));
        List<String> wrong = new SimulatorSettings().withArguments(List.of("--dial-latency-ms", "2000-1000",
                "--reset-rate", "1.5", "--slow-ms", "-1")).check();
        assertTrue(wrong.stream().anyMatch(w -> w.startsWith("dialLatencyMs")), wrong.toString());
        assertTrue(wrong.stream().anyMatch(w -> w.startsWith("resetRate")), wrong.toString());
        assertTrue(wrong.stream().anyMatch(w -> w.startsWith("slowMs")), wrong.toString());
    }

    @Test
    void aDrawFallsIntoTheFaultsInTheirOrderByRate() throws Exception {
        SimulatorSettings settings = new SimulatorSettings().withArguments(List.of("--error-5xx-rate", "0.1",
                "--expired-token-rate", "0.1", "--timeout-rate", "0.1", "--reset-rate", "0.1", "--slow-rate", "0.1"));
        assertEquals(Fault.ERROR_5XX, settings.fault(0.05, false));
        assertEquals(Fault.EXPIRED_TOKEN, settings.fault(0.15, false));
        assertEquals(Fault.TIMEOUT, settings.fault(0.15, true), "a token request has no token to expire");
        assertEquals(Fault.RESET, settings.fault(0.35, false));
        assertEquals(Fault.SLOW, settings.fault(0.45, false));
        assertEquals(Fault.NONE, settings.fault(0.55, false));
    }

    @Test
    void callbackFaultsAreDrawnTheSameWay() throws Exception {
        SimulatorSettings settings = new SimulatorSettings().withArguments(List.of("--callback-late-rate", "0.25",
                "--callback-duplicate-rate", "0.25", "--callback-out-of-order-rate", "0.25",
                "--callback-missing-rate", "0.25"));
        assertEquals(CallbackFault.LATE, settings.callbackFault(0.1));
        assertEquals(CallbackFault.DUPLICATE, settings.callbackFault(0.3));
        assertEquals(CallbackFault.OUT_OF_ORDER, settings.callbackFault(0.6));
        assertEquals(CallbackFault.MISSING, settings.callbackFault(0.99));
    }
}

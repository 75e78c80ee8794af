package io.floorflash.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's HTTP flags become the configuration keys the contract names. */
class MainTest {
    @Test
    void theFirmwareFlagsTurnTheFirmwareSideOnWithTheirAddressAndPort() {
        assertThat(httpFlags("--firmware-http-address", "192.168.1.100", "--firmware-http-port", "8080")).containsExactly(
                Map.entry("floorflash.http.firmware.enabled", true),
                Map.entry("floorflash.http.firmware.address", "192.168.1.100"),
                Map.entry("floorflash.http.firmware.port", 8080));
        assertThat(httpFlags("--firmware-http-port", "0")).containsEntry("floorflash.http.firmware.enabled", true)
                .doesNotContainKey("floorflash.http.enabled");
    }

    @Test
    void theOperatorFlagsKeepTheirNamesAndTurnOnlyTheOperatorSideOn() {
        assertThat(httpFlags("--http-address", "10.0.0.5", "--http-port", "9000")).containsExactly(
                Map.entry("floorflash.http.enabled", true),
                Map.entry("floorflash.http.address", "10.0.0.5"),
                Map.entry("floorflash.http.port", 9000));
    }

    @Test
    void noFlagsLeaveTheFileToDecide() {
        assertThat(httpFlags("--port", "6969")).isEmpty();
    }

    private static Map<String, Object> httpFlags(String... args) {
        Main main = new Main();
        new CommandLine(main).parseArgs(args);
        Map<String, Object> overrides = new LinkedHashMap<>();
        main.putHttpFlags(overrides);
        return overrides;
    }
}

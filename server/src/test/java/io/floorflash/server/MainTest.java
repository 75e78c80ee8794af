package io.floorflash.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's HTTP flags become the configuration keys the contract names. */
class MainTest {
    @Test
    void theFirmwareFlagsTurnTheFirmwareSideOnWithTheirAddressAndPort() {
        assertThat(httpFlags("--firmware-http-address", "192.168.1.100", "--firmware-http-port", "8080")).isEqualTo(
                Overrides.none()
                        .with(Key.FIRMWARE_HTTP_ENABLED, true)
                        .with(Key.FIRMWARE_HTTP_ADDRESS, "192.168.1.100")
                        .with(Key.FIRMWARE_HTTP_PORT, 8080));
        Overrides portOnly = httpFlags("--firmware-http-port", "0");
        assertThat(portOnly.get(Key.FIRMWARE_HTTP_ENABLED)).hasValue(true);
        assertThat(portOnly.has(Key.HTTP_ENABLED)).isFalse();
    }

    @Test
    void theOperatorFlagsKeepTheirNamesAndTurnOnlyTheOperatorSideOn() {
        assertThat(httpFlags("--http-address", "10.0.0.5", "--http-port", "9000")).isEqualTo(Overrides.none()
                .with(Key.HTTP_ENABLED, true)
                .with(Key.HTTP_ADDRESS, "10.0.0.5")
                .with(Key.HTTP_PORT, 9000));
    }

    @Test
    void noFlagsLeaveTheFileToDecide() {
        assertThat(httpFlags("--port", "6969")).isEqualTo(Overrides.none());
    }

    private static Overrides httpFlags(String... args) {
        Main main = new Main();
        new CommandLine(main).parseArgs(args);
        return main.httpFlags();
    }
}

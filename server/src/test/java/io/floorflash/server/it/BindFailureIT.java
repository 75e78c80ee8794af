package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.ServerStartException;
import io.floorflash.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second server on a port already taken fails to start and says which port, and what to do. */
class BindFailureIT {
    @Test
    void aTakenPortIsReportedByNumber(@TempDir Path root, @TempDir Path downloads) throws Exception {
        try (TestServer first = TestServer.start(root)) {
            int taken = first.port();

            ServerStartException failure = catchThrowableOfType(
                    () -> FloorflashServer.start(SettingsLoader.load(
                            TestServer.settings(root, Overrides.none().with(Key.TFTP_PORT, taken)))).close(),
                    ServerStartException.class);

            assertThat(failure).as("second server on udp 127.0.0.1:%d", taken).isNotNull();
            assertThat(failure.getMessage()).contains("127.0.0.1:" + taken).contains("port is in use")
                    .contains("--port");
            // The first server still serves.
            Path out = downloads.resolve("probe.bin");
            SeededFiles.write(root, "probe.bin", 1000, 1);
            Client.curl(taken, "probe.bin", out).assertDelivered(root.resolve("probe.bin"), out);
        }
    }
}

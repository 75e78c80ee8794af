package io.floorflash.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run's bookkeeping against a loopback socket that takes every request and never answers. */
class LoadRunTest {
    @Test
    void endsEveryTransferAtTheDurationCapAndStartsNoMore() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            LoadScenario scenario = new LoadScenario((InetSocketAddress) silent.getLocalSocketAddress(), "snom320.bin",
                    ExpectedContent.ofBytes(Fixtures.content(100)), 2, 6, 0, Map.of(), Duration.ofMillis(100),
                    1000, 0, 0, 1, Duration.ofSeconds(1), 1);
            ByteArrayOutputStream progress = new ByteArrayOutputStream();

            LoadReport report = new LoadRun(scenario, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

            assertThat(report.transfers()).isEqualTo(6);
            assertThat(report.ok()).isZero();
            assertThat(report.failed()).isEqualTo(6);
            assertThat(report.errors()).as("the two running phones stopped, the other four never started")
                    .containsExactly(entry("never started: run duration cap of N s reached", 4),
                            entry("run duration cap of N s reached", 2));
            assertThat(report.seconds()).as("no wait for phones started after the cap").isLessThan(4);
        }
    }
}

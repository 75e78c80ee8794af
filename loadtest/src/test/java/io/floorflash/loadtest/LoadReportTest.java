package io.floorflash.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadReportTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void countsOkFailedAndMismatchedTransfersIncludingOnesThatNeverReported() {
        List<PhoneResult> results = List.of(
                ok(1000, 10), ok(1000, 20), ok(1000, 30),
                failed("content differs in block 7", true),
                failed("timed out after 10 retries at block 3", false));

        LoadReport report = LoadReport.of(null, results, 6, SECOND, 0);

        assertThat(report.transfers()).isEqualTo(6);
        assertThat(report.ok()).isEqualTo(3);
        assertThat(report.failed()).as("the one that never reported failed too").isEqualTo(3);
        assertThat(report.mismatched()).isEqualTo(1);
        assertThat(report.allOk()).isFalse();
        assertThat(report.bytes()).as("only verified transfers count").isEqualTo(3000);
    }

    @Test
    void isAllOkOnlyWhenEveryTransferCompleted() {
        LoadReport report = LoadReport.of(null, List.of(ok(10, 1), ok(10, 2)), 2, SECOND, 0);

        assertThat(report.allOk()).isTrue();
        assertThat(report.failed()).isZero();
        assertThat(report.errors()).isEmpty();
    }

    @Test
    void computesCompletionPercentilesFromTheOkTransfers() {
        List<PhoneResult> results = new ArrayList<>();
        for (int millis = 1; millis <= 100; millis++) {
            results.add(ok(100, millis));
        }
        results.add(failed("timed out after 10 retries at block 1", false, TimeUnit.MINUTES.toNanos(10)));

        LoadReport report = LoadReport.of(null, results, 101, SECOND, 0);

        assertThat(report.completionMillis(50)).isCloseTo(50, within(0.1));
        assertThat(report.completionMillis(90)).isCloseTo(90, within(0.1));
        assertThat(report.completionMillis(99)).isCloseTo(99, within(0.1));
        assertThat(report.completionMillis(100)).as("a failure is no completion time").isCloseTo(100, within(0.1));
    }

    @Test
    void computesFirstAnswerPercentilesFromEveryTransferThatGotOne() {
        List<PhoneResult> results = List.of(
                result(true, false, "", 10, TimeUnit.MILLISECONDS.toNanos(2), SECOND),
                result(false, false, "timed out after 1 retries at block 4", 0, TimeUnit.MILLISECONDS.toNanos(8), SECOND),
                result(false, false, "timed out after 1 retries at block 1", 0, -1, SECOND));

        LoadReport report = LoadReport.of(null, results, 3, SECOND, 0);

        assertThat(report.firstDataMillis(0)).isCloseTo(2, within(0.01));
        assertThat(report.firstDataMillis(100)).isCloseTo(8, within(0.01));
        assertThat(report.firstDataMicros().getTotalCount()).isEqualTo(2);
    }

    @Test
    void reportsZeroPercentilesAndCpuPerGbWhenNothingCompleted() {
        LoadReport report = LoadReport.of(null, List.of(failed("socket closed", false)), 1, SECOND, SECOND);

        assertThat(report.completionMillis(99)).isZero();
        assertThat(report.firstDataMillis(99)).isZero();
        assertThat(report.goodputMBps()).isZero();
        assertThat(report.cpuSecondsPerGB()).isZero();
    }

    @Test
    void computesGoodputPacketRateAndCpuCostFromTheVerifiedBytes() {
        List<PhoneResult> results = List.of(
                new PhoneResult(true, false, "", 5_000_000, 1, SECOND, 0, 0, 0, 0, 0, 4000),
                new PhoneResult(true, false, "", 5_000_000, 1, SECOND, 0, 0, 0, 0, 0, 4000),
                new PhoneResult(false, false, "socket closed", 3_000_000, 1, SECOND, 0, 0, 0, 0, 0, 2000));

        LoadReport report = LoadReport.of(null, results, 3, 2 * SECOND, 3 * SECOND);

        assertThat(report.seconds()).isEqualTo(2.0);
        assertThat(report.goodputMBps()).isCloseTo(5.0, within(1e-9));
        assertThat(report.dataPackets()).as("every DATA that arrived").isEqualTo(10_000);
        assertThat(report.dataPacketsPerSecond()).isCloseTo(5000, within(1e-9));
        assertThat(report.cpuSecondsPerGB()).isCloseTo(300, within(1e-9));
    }

    @Test
    void sumsTheClientsRetriesAndSimulatedLoss() {
        List<PhoneResult> results = List.of(
                new PhoneResult(true, false, "", 1, 1, 1, 2, 3, 10, 4, 5, 6),
                new PhoneResult(false, false, "x", 1, 1, 1, 20, 30, 100, 40, 50, 60));

        LoadReport report = LoadReport.of(null, results, 2, SECOND, 0);

        assertThat(report.timeouts()).isEqualTo(22);
        assertThat(report.duplicates()).isEqualTo(33);
        assertThat(report.droppedReceived()).isEqualTo(44);
        assertThat(report.droppedSent()).isEqualTo(55);
        assertThat(report.dataPackets()).isEqualTo(66);
    }

    @Test
    void groupsErrorsWithTheirDigitsReplacedByN() {
        List<PhoneResult> results = List.of(
                failed("timed out after 10 retries at block 3", false),
                failed("timed out after 10 retries at block 4711", false),
                failed("content differs in block 7", true),
                failed("server error 0: server busy", false),
                failed("server error 1: no such file: snom320.bin", false),
                failed("server error 1: no such file: snom320.bin", false));

        LoadReport report = LoadReport.of(null, results, 6, SECOND, 0);

        assertThat(report.errors()).containsExactly(
                entry("content differs in block N", 1),
                entry("server error N: no such file: snomN.bin", 2),
                entry("server error N: server busy", 1),
                entry("timed out after N retries at block N", 2));
    }

    @Test
    void writesEveryFigureAsOneJsonObject() {
        List<PhoneResult> results = List.of(
                new PhoneResult(true, false, "", 2_000_000, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(250),
                        1, 2, 3, 4, 5, 1000),
                failed("content differs in block 12", true));

        String json = LoadReport.of(null, results, 2, 2 * SECOND, SECOND / 2).toJson();

        assertThat(json).startsWith("{\"transfers\":2,\"ok\":1,\"failed\":1,\"mismatched\":1,\"bytes\":2000000,")
                .contains("\"elapsed_s\":2.000,", "\"goodput_MBps\":1.000,", "\"data_packets\":1000,",
                        "\"data_packets_per_s\":500.000,", "\"completion_ms_p50\":250.", "\"completion_ms_p99\":250.",
                        "\"completion_ms_max\":250.", "\"first_data_ms_p50\":1.000,", "\"client_timeouts\":1,",
                        "\"duplicate_data\":2,", "\"dropped_received\":4,", "\"dropped_sent\":5,",
                        "\"simulator_cpu_s\":0.500,", "\"simulator_cpu_s_per_GB\":250.000,")
                .endsWith(",\"errors\":{\"content differs in block N\":1}}")
                .doesNotContain("\n", "NaN", "Infinity");
        assertThat(json.chars().filter(c -> c == '{').count()).isEqualTo(2);
        assertThat(json.chars().filter(c -> c == '}').count()).isEqualTo(2);
    }

    @Test
    void writesNumbersWithADotWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            String json = LoadReport.of(null, List.of(ok(1_500_000, 10)), 1, SECOND, 0).toJson();

            assertThat(json).contains("\"goodput_MBps\":1.500,");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void escapesQuotesBackslashesAndControlCharactersInJsonErrors() {
        String json = LoadReport.of(null, List.of(failed("server error N: bad \"name\" \\x\tend", false)), 1, SECOND, 0)
                .toJson();

        assertThat(json).endsWith("\"errors\":{\"server error N: bad \\\"name\\\" \\\\x\\u0009end\":1}}");
    }

    @Test
    void writesAnEmptyErrorsObjectWhenAllWentWell() {
        assertThat(LoadReport.of(null, List.of(ok(1, 1)), 1, SECOND, 0).toJson()).endsWith(",\"errors\":{}}");
    }

    @Test
    void printsTheHeadlineFiguresAsText() {
        String text = LoadReport.of(null, List.of(ok(3_000_000, 40), failed("content differs in block 2", true)), 2,
                SECOND, 0).toText();

        assertThat(text).contains("transfers     2: ok 1, failed 1, mismatched 1",
                "goodput       3.0 MB/s (3000000 bytes verified)",
                "error         1 × content differs in block N");
    }

    private static PhoneResult ok(long bytes, long millis) {
        return result(true, false, "", bytes, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static PhoneResult failed(String error, boolean mismatch) {
        return failed(error, mismatch, SECOND);
    }

    private static PhoneResult failed(String error, boolean mismatch, long durationNanos) {
        return result(false, mismatch, error, 512, -1, durationNanos);
    }

    private static PhoneResult result(boolean ok, boolean mismatch, String error, long bytes, long firstData, long duration) {
        return new PhoneResult(ok, mismatch, error, bytes, firstData, duration, 0, 0, 0, 0, 0, 0);
    }
}

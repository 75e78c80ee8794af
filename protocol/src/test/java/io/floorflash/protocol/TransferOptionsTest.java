package io.floorflash.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TransferOptionsTest {
    /** A 1500-byte MTU server that allows windows of 16. */
    private static final OptionLimits LIMITS = new OptionLimits(1468, 16);
    private static final long IMAGE_SIZE = 33_553_920;

    @ParameterizedTest(name = "blksize {0} -> {1}")
    @CsvSource({
        "8, 8",
        "512, 512",
        "1024, 1024",
        "1468, 1468",
        "1469, 1468",
        "8192, 1468",
        "65464, 1468",
        "65535, 1468",
        "70000, 1468",
        "9999999999, 1468",
        "01468, 1468",
    })
    void lowersBlockSizeToLimit(String requested, int agreed) {
        TransferOptions options = negotiate(Map.of("blksize", requested));

        assertThat(options.blockSize()).isEqualTo(agreed);
        assertThat(options.acknowledged()).containsExactly(Map.entry("blksize", Integer.toString(agreed)));
        assertThat(options.needsOptionAck()).isTrue();
    }

    @ParameterizedTest(name = "blksize {0} -> {1}")
    @CsvSource({"65464, 65464", "65535, 65464", "70000, 65464", "1468, 1468"})
    void lowersBlockSizeToLargestServerLimit(String requested, int agreed) {
        TransferOptions options = TransferOptions.negotiate(
                Map.of("blksize", requested), new OptionLimits(65464, 65535), IMAGE_SIZE);

        assertThat(options.blockSize()).isEqualTo(agreed);
        assertThat(options.acknowledged()).containsEntry("blksize", Integer.toString(agreed));
    }

    @ParameterizedTest(name = "blksize \"{0}\"")
    @ValueSource(strings = {"0", "1", "7", "abc", "-1", "", "1e3", "12345678901", " 512", "512 ", "+512", "0x200",
        "1468.0", "\uff11\uff14\uff16\uff18"})
    void ignoresBlockSizeBelowEightOrNotANumber(String requested) {
        TransferOptions options = negotiate(Map.of("blksize", requested));

        assertThat(options.blockSize()).isEqualTo(TftpOptions.DEFAULT_BLOCK_SIZE);
        assertThat(options.acknowledged()).doesNotContainKey("blksize");
        assertThat(options.needsOptionAck()).isFalse();
    }

    @ParameterizedTest(name = "windowsize {0} -> {1}")
    @CsvSource({"1, 1", "4, 4", "16, 16", "17, 16", "65535, 16", "99999, 16"})
    void lowersWindowSizeToLimit(String requested, int agreed) {
        TransferOptions options = negotiate(Map.of("windowsize", requested));

        assertThat(options.windowSize()).isEqualTo(agreed);
        assertThat(options.acknowledged()).containsExactly(Map.entry("windowsize", Integer.toString(agreed)));
    }

    @ParameterizedTest(name = "windowsize \"{0}\"")
    @ValueSource(strings = {"0", "00", "-4", "", "eight", "12345678901"})
    void ignoresWindowSizeOfZeroOrNotANumber(String requested) {
        TransferOptions options = negotiate(Map.of("windowsize", requested));

        assertThat(options.windowSize()).isEqualTo(1);
        assertThat(options.acknowledged()).isEmpty();
    }

    @ParameterizedTest(name = "timeout {0}")
    @ValueSource(ints = {1, 2, 5, 254, 255})
    void echoesTimeoutFromOneTo255(int seconds) {
        TransferOptions options = negotiate(Map.of("timeout", Integer.toString(seconds)));

        assertThat(options.timeoutSeconds()).isEqualTo(seconds);
        assertThat(options.acknowledged()).containsExactly(Map.entry("timeout", Integer.toString(seconds)));
    }

    @Test
    void declinesATimeoutAboveTheServersLimitAndKeepsTheOtherOptions() {
        OptionLimits limits = new OptionLimits(1468, 64, 10);
        TransferOptions slow = TransferOptions.negotiate(Map.of("timeout", "255", "blksize", "1468"), limits, 100);
        TransferOptions atLimit = TransferOptions.negotiate(Map.of("timeout", "10"), limits, 100);

        assertThat(slow.timeoutSeconds()).isZero();
        assertThat(slow.acknowledged()).containsExactly(Map.entry("blksize", "1468"));
        assertThat(atLimit.timeoutSeconds()).isEqualTo(10);
        assertThat(atLimit.acknowledged()).containsExactly(Map.entry("timeout", "10"));
    }

    @Test
    void aTimeoutLimitOutsideTheRfcRangeIsRefused() {
        assertThatThrownBy(() -> new OptionLimits(512, 1, 0)).hasMessageContaining("maxTimeoutSeconds: 0");
        assertThatThrownBy(() -> new OptionLimits(512, 1, 256)).hasMessageContaining("maxTimeoutSeconds: 256");
    }

    @ParameterizedTest(name = "timeout \"{0}\"")
    @ValueSource(strings = {"0", "256", "1000", "-1", "", "1.5", "5s"})
    void ignoresTimeoutOutsideOneTo255(String requested) {
        TransferOptions options = negotiate(Map.of("timeout", requested));

        assertThat(options.timeoutSeconds()).isZero();
        assertThat(options.acknowledged()).isEmpty();
    }

    @ParameterizedTest(name = "tsize \"{0}\"")
    @ValueSource(strings = {"0", "1", "33553920", "99999999999", "enable", "", "-1"})
    void answersTsizeWithRealSizeWhateverClientSent(String requested) {
        TransferOptions options = negotiate(Map.of("tsize", requested));

        assertThat(options.acknowledged()).containsExactly(Map.entry("tsize", "33553920"));
        assertThat(options.needsOptionAck()).isTrue();
        assertThat(options.blockSize()).isEqualTo(TftpOptions.DEFAULT_BLOCK_SIZE);
        assertThat(options.windowSize()).isEqualTo(1);
    }

    @Test
    void answersTsizeZeroForEmptyFile() {
        TransferOptions options = TransferOptions.negotiate(Map.of("tsize", "0"), LIMITS, 0);

        assertThat(options.acknowledged()).containsExactly(Map.entry("tsize", "0"));
    }

    @Test
    void answersTsizeBeyondFourGigabytes() {
        TransferOptions options = TransferOptions.negotiate(Map.of("tsize", "0"), LIMITS, 5_000_000_000L);

        assertThat(options.acknowledged()).containsExactly(Map.entry("tsize", "5000000000"));
    }

    @Test
    void leavesUnknownOptionsOut() {
        Map<String, String> requested = new LinkedHashMap<>();
        requested.put("multicast", "");
        requested.put("blksize", "1024");
        requested.put("rollover", "0");
        requested.put("utimeout", "500000");

        TransferOptions options = negotiate(requested);

        assertThat(options.acknowledged()).containsExactly(Map.entry("blksize", "1024"));
    }

    @Test
    void fallsBackToRfc1350WithoutOptions() {
        TransferOptions options = negotiate(Map.of());

        assertThat(options.needsOptionAck()).isFalse();
        assertThat(options.blockSize()).isEqualTo(512);
        assertThat(options.windowSize()).isEqualTo(1);
        assertThat(options.timeoutSeconds()).isZero();
        assertThat(options.acknowledged()).isEmpty();
        assertThat(options).isEqualTo(TransferOptions.RFC1350);
    }

    @Test
    void fallsBackToRfc1350WhenNoOptionIsAccepted() {
        Map<String, String> requested = new LinkedHashMap<>();
        requested.put("blksize", "4");
        requested.put("windowsize", "0");
        requested.put("timeout", "0");
        requested.put("multicast", "");

        assertThat(negotiate(requested)).isEqualTo(TransferOptions.RFC1350);
    }

    @Test
    void keepsRequestOrderInOptionAck() {
        Map<String, String> requested = new LinkedHashMap<>();
        requested.put("tsize", "0");
        requested.put("windowsize", "64");
        requested.put("x-unknown", "1");
        requested.put("timeout", "3");
        requested.put("blksize", "65464");

        TransferOptions options = negotiate(requested);

        assertThat(options.optionAck()).isEqualTo(new OptionAck(options.acknowledged()));
        assertThat(options.optionAck().options()).containsExactly(
                Map.entry("tsize", "33553920"), Map.entry("windowsize", "16"),
                Map.entry("timeout", "3"), Map.entry("blksize", "1468"));
        assertThat(options.blockSize()).isEqualTo(1468);
        assertThat(options.windowSize()).isEqualTo(16);
        assertThat(options.timeoutSeconds()).isEqualTo(3);
    }

    @Test
    void acknowledgesOnlyWhatWasAcceptedAmongMixedOptions() {
        Map<String, String> requested = new LinkedHashMap<>();
        requested.put("blksize", "abc");
        requested.put("tsize", "0");
        requested.put("timeout", "256");

        TransferOptions options = negotiate(requested);

        assertThat(options.acknowledged()).containsExactly(Map.entry("tsize", "33553920"));
        assertThat(options.blockSize()).isEqualTo(512);
        assertThat(options.timeoutSeconds()).isZero();
    }

    @Test
    void negotiatesWhatADecodedRequestCarries() {
        ReadRequest request = new ReadRequest("snom320.bin", TransferMode.OCTET,
                Map.of("BLKSIZE", "1432", "TSize", "0"));

        TransferOptions options = negotiate(request.options());

        assertThat(options.blockSize()).isEqualTo(1432);
        assertThat(options.acknowledged()).containsOnly(Map.entry("blksize", "1432"), Map.entry("tsize", "33553920"));
    }

    @Test
    void acknowledgedOptionsCannotBeChanged() {
        Map<String, String> acknowledged = new LinkedHashMap<>();
        acknowledged.put("blksize", "1024");
        TransferOptions options = new TransferOptions(1024, 1, 0, acknowledged);
        acknowledged.put("tsize", "1");

        assertThat(options.acknowledged()).containsExactly(Map.entry("blksize", "1024"));
        assertThatThrownBy(() -> options.acknowledged().put("x", "y"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesOptionsOutOfRange() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TransferOptions(7, 1, 0, Map.of()))
                .withMessage("blockSize: 7 (expected: 8-65464)");
        assertThatIllegalArgumentException().isThrownBy(() -> new TransferOptions(65465, 1, 0, Map.of()))
                .withMessage("blockSize: 65465 (expected: 8-65464)");
        assertThatIllegalArgumentException().isThrownBy(() -> new TransferOptions(512, 0, 0, Map.of()))
                .withMessage("windowSize: 0 (expected: 1-65535)");
        assertThatIllegalArgumentException().isThrownBy(() -> new TransferOptions(512, 1, 256, Map.of()))
                .withMessage("timeoutSeconds: 256 (expected: 0 or 1-255)");
    }

    @Test
    void refusesLimitsOutOfRange() {
        assertThatIllegalArgumentException().isThrownBy(() -> new OptionLimits(7, 1))
                .withMessage("maxBlockSize: 7 (expected: 8-65464)");
        assertThatIllegalArgumentException().isThrownBy(() -> new OptionLimits(65465, 1))
                .withMessage("maxBlockSize: 65465 (expected: 8-65464)");
        assertThatIllegalArgumentException().isThrownBy(() -> new OptionLimits(1468, 0))
                .withMessage("maxWindowSize: 0 (expected: 1-65535)");
        assertThatIllegalArgumentException().isThrownBy(() -> new OptionLimits(1468, 65536))
                .withMessage("maxWindowSize: 65536 (expected: 1-65535)");
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource({"0, 0", "7, 7", "0512, 512", "9999999999, 9999999999", "4294967296, 4294967296"})
    void parsesUnsignedDecimalOfAtMostTenDigits(String value, long expected) {
        assertThat(TransferOptions.parseUnsigned(value)).isEqualTo(expected);
    }

    private static TransferOptions negotiate(Map<String, String> requested) {
        return TransferOptions.negotiate(requested, LIMITS, IMAGE_SIZE);
    }
}

package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentOffloadTest {
    @BeforeAll
    static void nativeTransport() {
        // Errors.NativeIoException takes its message from the native library.
        Epoll.ensureAvailability();
    }

    @ParameterizedTest(name = "segments of {0} bytes: {1} per send")
    @CsvSource({"1472, 44", "516, 64", "12, 64", "8196, 7", "32768, 1", "65468, 1"})
    void fitsAsManySegmentsAsOneSendCarries(int segmentSize, int perSend) {
        assertThat(SegmentOffload.of(true).segmentsPerSend(segmentSize)).isEqualTo(perSend);
        assertThat(SegmentOffload.OFF.segmentsPerSend(segmentSize)).isEqualTo(1);
    }

    /**
     * EIO (a device without checksum offload) and EOPNOTSUPP: no transfer can segment. EINVAL and EMSGSIZE (segments
     * larger than the path's MTU): this transfer cannot. ENOBUFS, ECONNREFUSED, EAGAIN: nothing to do with it.
     */
    @ParameterizedTest(name = "errno {0}: {1}")
    @CsvSource({"5, ALL", "95, ALL", "22, THIS_TRANSFER", "90, THIS_TRANSFER", "105, NONE", "111, NONE", "11, NONE"})
    void tellsWhoseSegmentationTheKernelRefused(int errno, SegmentOffload.Refusal refusal) {
        SegmentOffload offload = SegmentOffload.of(true);
        Errors.NativeIoException cause = new Errors.NativeIoException("sendmmsg", -errno);

        assertThat(SegmentOffload.refusal(cause)).isEqualTo(refusal);
        assertThat(offload.sendFailed(cause)).as("the transfer stops segmenting").isEqualTo(refusal != SegmentOffload.Refusal.NONE);
        assertThat(offload.enabled()).as("still on for the others").isEqualTo(refusal != SegmentOffload.Refusal.ALL);
    }

    @Test
    void aTransportWithoutUdpSegmentRefusesEveryTransferButAnyOtherIoErrorIsNothing() {
        assertThat(SegmentOffload.refusal(new UnsupportedOperationException("unsupported message type")))
                .isEqualTo(SegmentOffload.Refusal.ALL);
        assertThat(SegmentOffload.refusal(new IOException("No buffer space available"))).isEqualTo(SegmentOffload.Refusal.NONE);
    }

    @Test
    void turnsOffOnceAndStaysOff() {
        SegmentOffload offload = SegmentOffload.of(true);

        assertThat(offload.sendFailed(new UnsupportedOperationException())).isTrue();
        assertThat(offload.enabled()).isFalse();
        assertThat(offload.sendFailed(new UnsupportedOperationException())).as("a send already under way when it turned off")
                .isTrue();
        assertThat(offload.enabled()).isFalse();
        assertThat(offload.segmentsPerSend(1472)).isEqualTo(1);
        assertThat(SegmentOffload.of(false)).isSameAs(SegmentOffload.OFF);
    }

    @Test
    void countsTheSendsThatWentOut() {
        SegmentOffload offload = SegmentOffload.of(true);

        offload.sent();
        offload.sendFailed(new Errors.NativeIoException("sendmmsg", -105));
        offload.sent();

        assertThat(offload.sends()).isEqualTo(2);
    }
}

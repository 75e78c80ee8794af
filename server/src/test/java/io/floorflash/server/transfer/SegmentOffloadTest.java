package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
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

    @ParameterizedTest(name = "errno {0}: refusal {1}")
    @CsvSource({"5, true", "22, true", "90, true", "95, true", "105, false", "111, false", "11, false"})
    void onlyTheKernelRefusingSegmentationTurnsItOff(int errno, boolean refusal) {
        SegmentOffload offload = SegmentOffload.of(true);
        Errors.NativeIoException cause = new Errors.NativeIoException("sendmmsg", -errno);

        assertThat(offload.sendFailed(cause)).isEqualTo(refusal);
        assertThat(offload.enabled()).isEqualTo(!refusal);
    }

    @Test
    void aTransportWithoutUdpSegmentIsARefusalButAnyOtherIoErrorIsNot() {
        assertThat(SegmentOffload.refusesSegmentation(new UnsupportedOperationException("unsupported message type"))).isTrue();
        assertThat(SegmentOffload.refusesSegmentation(new IOException("No buffer space available"))).isFalse();
    }

    @Test
    void turnsOffOnceAndStaysOff() {
        SegmentOffload offload = SegmentOffload.of(true);

        assertThat(offload.sendFailed(new UnsupportedOperationException())).as("the first refusal").isTrue();
        assertThat(offload.sendFailed(new UnsupportedOperationException())).as("already off").isFalse();
        assertThat(offload.enabled()).isFalse();
        assertThat(offload.segmentsPerSend(1472)).isEqualTo(1);
        assertThat(SegmentOffload.OFF.sendFailed(new UnsupportedOperationException())).isFalse();
        assertThat(SegmentOffload.of(false)).isSameAs(SegmentOffload.OFF);
    }

    @Test
    void buildsOneSendPerWindowAndCountsThem() {
        SegmentOffload offload = SegmentOffload.of(true);
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 41000);

        SegmentedDatagramPacket packet = (SegmentedDatagramPacket) offload.packet(Unpooled.buffer(8), 4, client);
        try {
            assertThat(packet.segmentSize()).isEqualTo(4);
            assertThat(packet.recipient()).isEqualTo(client);
            assertThat(offload.sends()).isEqualTo(1);
        } finally {
            packet.release();
        }
    }
}

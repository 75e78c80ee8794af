package io.floorflash.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IntakeLimitTest {
    /** 300 a second: 3 per 10 ms slice. */
    private final IntakeLimit limit = new IntakeLimit(300);
    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).handlers(limit).build();

    private void advance(long nanos) {
        ticker.advance(nanos, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void stopsReadingForTheRestOfASliceOnceItsShareIsReadAndPassesEverythingOn() {
        channel.writeInbound("a", "b");
        assertThat(channel.config().isAutoRead()).isTrue();

        channel.writeInbound("c");
        assertThat(channel.config().isAutoRead()).as("the slice's share is read").isFalse();
        channel.writeInbound("d"); // already read from the kernel in the same batch: passed on all the same
        assertThat(channel.inboundMessages()).containsExactly("a", "b", "c", "d");
        assertThat(limit.pauses()).isOne();

        advance(IntakeLimit.SLICE_NANOS - 1);
        assertThat(channel.config().isAutoRead()).isFalse();
        advance(1);
        assertThat(channel.config().isAutoRead()).as("the next slice reads again").isTrue();

        channel.writeInbound("e", "f");
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isTrue();
    }

    @Test
    void aQuietSliceStartsItsCountAfresh() {
        channel.writeInbound("a", "b");
        advance(IntakeLimit.SLICE_NANOS);

        channel.writeInbound("c", "d");

        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(limit.pauses()).isZero();
        channel.finishAndReleaseAll();
    }
}

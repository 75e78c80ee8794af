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

    @Test
    void theListenersSocketsShareOneBudgetSoOneFloodedSocketMayReadAllOfIt() {
        // 600 a second: 6 per slice, for two sockets together.
        IntakeLimit.Budget budget = new IntakeLimit.Budget(600);
        EmbeddedChannel flooded = EmbeddedChannel.builder().ticker(ticker).handlers(new IntakeLimit(budget)).build();
        EmbeddedChannel quiet = EmbeddedChannel.builder().ticker(ticker).handlers(new IntakeLimit(budget)).build();

        flooded.writeInbound("a", "b", "c", "d", "e");
        assertThat(flooded.config().isAutoRead()).as("five of six read by one socket, none by the other").isTrue();
        quiet.writeInbound("f");
        assertThat(quiet.config().isAutoRead()).as("the sixth, on the other socket, ends the slice's share").isFalse();
        flooded.writeInbound("g");
        assertThat(flooded.config().isAutoRead()).as("and the flooded socket waits too").isFalse();

        ticker.advance(IntakeLimit.SLICE_NANOS, TimeUnit.NANOSECONDS);
        flooded.runScheduledPendingTasks();
        quiet.runScheduledPendingTasks();
        assertThat(flooded.config().isAutoRead()).isTrue();
        assertThat(quiet.config().isAutoRead()).isTrue();
        flooded.finishAndReleaseAll();
        quiet.finishAndReleaseAll();
        channel.finishAndReleaseAll();
    }
}

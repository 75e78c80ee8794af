package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    private static final ErrorPacket NOT_FOUND = new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "File not found: x.bin");
    private static final ErrorPacket BUSY = new ErrorPacket(ErrorCode.NOT_DEFINED, "Server busy");

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private RefusalLog refusals;

    @BeforeEach
    void capture() {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("refusals");
        logger.setLevel(Level.DEBUG);
        lines.setContext(context);
        lines.start();
        logger.addAppender(lines);
        refusals = new RefusalLog(logger, 3);
    }

    private static TransferId id(String address, int port, String file) {
        return new TransferId(new InetSocketAddress(address, port), file);
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aFewRefusalsGetALineEachWithWhoWhatAndWhy() {
        refusals.requestRefused(id("10.0.5.17", 41000, "snom999.bin"), NOT_FOUND, RefusalReason.NOT_FOUND);
        refusals.flush();

        assertThat(messages()).containsExactly(
                "refused client=10.0.5.17:41000 file=snom999.bin reason=not-found error=1: File not found: x.bin");
        assertThat(lines.list.get(0).getLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void aFloodIsSummarisedInOneLinePerIntervalWithTheAddressesAndReasons() {
        for (int i = 0; i < 3; i++) {
            refusals.requestRefused(id("10.0.0.1", 1000 + i, "x.bin"), NOT_FOUND, RefusalReason.NOT_FOUND);
        }
        for (int i = 0; i < 5000; i++) {
            refusals.requestRefused(id("10.0.0.9", 1000 + i, "x.bin"), BUSY, RefusalReason.ADDRESS_BUSY);
        }
        for (int i = 0; i < 500; i++) {
            refusals.requestRefused(id("10.0.0." + (1 + i % 5), 1000 + i, "x.bin"), NOT_FOUND, RefusalReason.NOT_FOUND);
        }
        assertThat(messages()).hasSize(3);

        refusals.flush();

        assertThat(messages()).hasSize(4);
        assertThat(messages().get(3)).isEqualTo("refused 5500 more requests since the last line, from 6 addresses"
                + " (address-busy 5000, not-found 500; most from 10.0.0.9: 5000);"
                + " each is counted in floorflash_requests_refused_total");
        assertThat(lines.list.get(3).getLevel()).as("busy refusals make it a warning").isEqualTo(Level.WARN);

        refusals.flush();
        assertThat(messages()).as("nothing to summarise").hasSize(4);
        refusals.requestRefused(id("10.0.0.1", 1, "y"), NOT_FOUND, RefusalReason.NOT_FOUND);
        assertThat(messages()).as("a new interval logs one by one again").hasSize(5);
    }

    @Test
    void theSummaryCountsAddressesOnlyUpToItsBound() {
        refusals = new RefusalLog(((LoggerContext) lines.getContext()).getLogger("refusals"), 0);
        for (int i = 0; i < RefusalLog.MAX_ADDRESSES + 10; i++) {
            refusals.requestRefused(id("10.1." + (i >> 8) + "." + (i & 0xff), 1, "x"), NOT_FOUND, RefusalReason.NOT_FOUND);
        }
        refusals.flush();

        assertThat(messages()).singleElement().asString().contains("from at least 4096 addresses");
    }

    @Test
    void aNameWithControlCharactersIsEscapedInItsLine() {
        refusals.requestRefused(id("10.0.5.17", 1, "x\n12:00 INFO forged"), new ErrorPacket(ErrorCode.FILE_NOT_FOUND,
                "File not found: x\n12:00 INFO forged"), RefusalReason.NOT_FOUND);

        assertThat(messages()).singleElement().asString().doesNotContain("\n").contains("x\\x0a12:00 INFO forged");
    }
}

package io.floorflash.server.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.floorflash.protocol.SafeText;

/**
 * {@code %safeMsg}: the formatted message with every control character escaped ({@link SafeText}). Names and texts
 * from clients are escaped where they are logged too; this is the net under every other log line (an exception's
 * message naming a file, a third-party library's message), so no log line can be forged or reach a terminal raw.
 */
public final class SafeMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return SafeText.escape(super.convert(event));
    }
}

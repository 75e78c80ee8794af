package io.floorflash.server.logging;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.floorflash.protocol.SafeText;

/**
 * {@code %safeEx}: a stack trace whose lines are the trace's own, with every other control character but the tab escaped: an
 * exception message carrying a requested name cannot add a line of its own or an escape sequence.
 */
public final class SafeThrowableConverter extends ExtendedThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        String trace = super.throwableProxyToString(proxy);
        StringBuilder out = new StringBuilder(trace.length());
        for (int i = 0; i < trace.length(); i++) {
            char c = trace.charAt(i);
            if (c == '\t' || (c == '\n' && (i + 1 == trace.length() || isTraceLine(trace, i + 1)))) {
                out.append(c);
            } else if (SafeText.unsafe(c)) {
                SafeText.append(out, String.valueOf(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Whether the text at {@code from} starts a line Logback writes: an indented frame, suppressed exception or frame
     * count, or a cause. A message can still imitate those, but never a log line of its own.
     */
    private static boolean isTraceLine(String trace, int from) {
        return trace.startsWith("\t", from) || trace.startsWith("Caused by: ", from);
    }
}

package io.floorflash.server.audit;

import io.floorflash.server.http.JsonWriter;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one JSON line per finished transfer to the logger {@value #LOGGER}, for example:
 * <pre>{"ts":"2025-05-01T07:30:12.345Z","node":"edge-muc-1","client":"10.0.0.7","port":41000,"file":"snom320.bin",
 * "served":"releases/10.1.2/snom320.bin","direction":"read","sha256":"9f86...","outcome":"completed","bytes":2097152,
 * "size":2097152,"ms":342,"blksize":512,"windowsize":1,"retransmits":0}</pre>
 * (one line in the file; {@code node} is this server's {@code floorflash.node.name}, {@code file} the name asked for,
 * {@code served} the file sent), with {@code "reason"}
 * added when the outcome is not {@code completed}. An upload's line
 * says {@code "direction":"write"}; its {@code sha256} is that of the file stored (empty when none was). Runs on the
 * transfer's event loop: it only builds a string; {@link AuditTrail} puts a queue and a background writer behind
 * the logger.
 */
public final class AuditLog implements TransferListener {
    /** The logger audit lines go to; {@code logback.xml} keeps it out of the console (additivity false). */
    public static final String LOGGER = "floorflash.audit";
    /** ISO-8601 in UTC, always with milliseconds, so every line's timestamp has the same shape. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final String node;
    private final Logger log;
    private final Clock clock;

    /** An audit log whose lines name {@code node}, this server's {@code floorflash.node.name}. */
    public AuditLog(String node) {
        this(node, LoggerFactory.getLogger(LOGGER), Clock.systemUTC());
    }

    AuditLog(String node, Logger log, Clock clock) {
        this.node = node;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public void transferFinished(TransferSummary summary) {
        if (log.isInfoEnabled()) {
            log.info(line(node, summary, clock.instant()));
        }
    }

    /**
     * The JSON line for {@code s}, finished at {@code at} on {@code node}: the audit log's, and the body the webhook
     * posts.
     */
    public static String line(String node, TransferSummary s, Instant at) {
        StringBuilder out = new StringBuilder(360);
        out.append("{\"ts\":");
        JsonWriter.quoteAscii(out, TIMESTAMP.format(at));
        out.append(",\"node\":");
        JsonWriter.quoteAscii(out, node);
        out.append(",\"client\":");
        JsonWriter.quoteAscii(out, s.id().client().getAddress().getHostAddress());
        out.append(",\"port\":").append(s.id().client().getPort());
        out.append(",\"file\":");
        JsonWriter.quoteAscii(out, s.id().file());
        out.append(",\"served\":");
        JsonWriter.quoteAscii(out, s.served());
        out.append(",\"direction\":");
        JsonWriter.quoteAscii(out, s.direction().label());
        out.append(",\"sha256\":");
        JsonWriter.quoteAscii(out, s.sha256());
        out.append(",\"outcome\":");
        JsonWriter.quoteAscii(out, s.outcome().label());
        out.append(",\"bytes\":").append(s.bytes());
        out.append(",\"size\":").append(s.size());
        out.append(",\"ms\":").append(TimeUnit.NANOSECONDS.toMillis(s.durationNanos()));
        out.append(",\"blksize\":").append(s.blockSize());
        out.append(",\"windowsize\":").append(s.windowSize());
        out.append(",\"retransmits\":").append(s.retransmits());
        if (s.outcome() != TransferOutcome.COMPLETED) {
            out.append(",\"reason\":");
            JsonWriter.quoteAscii(out, s.detail());
        }
        return out.append('}').toString();
    }
}

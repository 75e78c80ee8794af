package io.floorflash.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.server.transfer.TransferDirection;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AuditLogTest {
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final Instant AT = Instant.parse("2025-05-01T07:30:12.345678Z");

    private static TransferSummary summary(String file, TransferOutcome outcome, String detail) {
        return new TransferSummary(new TransferId(new InetSocketAddress("10.0.0.7", 41000), file), outcome, 2048, 4096,
                TimeUnit.MILLISECONDS.toNanos(342) + 999_999, 1468, 4, 3, detail, SHA, file);
    }

    @Test
    void writesACompletedTransferAsOneJsonLineWithoutAReason() {
        assertThat(AuditLog.line("edge-1", summary("snom320.bin", TransferOutcome.COMPLETED, ""), AT)).isEqualTo(
                "{\"ts\":\"2025-05-01T07:30:12.345Z\",\"node\":\"edge-1\",\"client\":\"10.0.0.7\",\"port\":41000,\"file\":\"snom320.bin\","
                        + "\"served\":\"snom320.bin\",\"direction\":\"read\",\"sha256\":\"" + SHA + "\",\"outcome\":\"completed\",\"bytes\":2048,\"size\":4096,\"ms\":342,"
                        + "\"blksize\":1468,\"windowsize\":4,\"retransmits\":3}");
    }

    @Test
    void addsTheReasonWhenTheTransferDidNotComplete() {
        assertThat(AuditLog.line("edge-1", summary("a.bin", TransferOutcome.CLIENT_ERROR, "client error 8: tsize probe"), AT))
                .endsWith(",\"outcome\":\"client-error\",\"bytes\":2048,\"size\":4096,\"ms\":342,\"blksize\":1468,"
                        + "\"windowsize\":4,\"retransmits\":3,\"reason\":\"client error 8: tsize probe\"}");
    }

    @Test
    void saysAnUploadIsAWrite() {
        TransferSummary upload = new TransferSummary(new TransferId(new InetSocketAddress("10.0.0.7", 41000), "log.txt"),
                TransferOutcome.COMPLETED, 10, 10, 0, 512, 1, 0, "", SHA, TransferDirection.WRITE);

        assertThat(AuditLog.line("edge-1", upload, AT))
                .contains("\"file\":\"log.txt\",\"served\":\"log.txt\",\"direction\":\"write\",\"sha256\":\"" + SHA);
    }

    @Test
    void writesTheTimestampWithMillisecondsEvenOnAWholeSecond() {
        assertThat(AuditLog.line("edge-1", summary("a.bin", TransferOutcome.COMPLETED, ""), Instant.parse("2025-05-01T07:30:12Z")))
                .startsWith("{\"ts\":\"2025-05-01T07:30:12.000Z\",\"node\":\"edge-1\",");
    }

    @Test
    void escapesWhatAClientPutsInTheFileName() {
        String hostile = "a\"b\\c\nd\re\tf\u0000g\u001f\u007fh/é€\ud83d\ude00\ud800\"}{";

        String line = AuditLog.line("edge-1", summary(hostile, TransferOutcome.COMPLETED, ""), AT);

        assertThat(line).contains(",\"file\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0000g\\u001f\\u007fh/\\u00e9\\u20ac\\ud83d\\ude00\\ud800\\\"}{\",");
        assertThat(line.chars()).as("plain printable ASCII, one line").allMatch(c -> c >= 0x20 && c < 0x7F);
    }

    @Test
    void writesIpv6ClientsAsTheirAddress() {
        TransferSummary s = new TransferSummary(new TransferId(new InetSocketAddress("fe80::1", 69), "x"),
                TransferOutcome.COMPLETED, 0, 0, 0, 512, 1, 0, "", SHA, "x");

        assertThat(AuditLog.line("edge-1", s, AT)).contains("\"client\":\"fe80:0:0:0:0:0:0:1\",\"port\":69,");
    }
}

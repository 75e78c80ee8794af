package io.floorflash.loadtest;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a load run: counts, aggregate goodput, packet rate, completion and first-answer percentiles, the
 * clients' retries, and the simulator's own CPU cost (so a reader can tell when the simulator is the limit).
 */
record LoadReport(int transfers, int ok, int failed, int mismatched, long bytes, long elapsedNanos, long dataPackets,
                  Histogram completionMicros, Histogram firstDataMicros, long timeouts, long duplicates,
                  long droppedReceived, long droppedSent, long cpuNanos, Map<String, Integer> errors) {

    static LoadReport of(LoadScenario scenario, Collection<PhoneResult> results, int transfers, long elapsedNanos,
                         long cpuNanos) {
        Histogram completion = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
        Histogram firstData = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
        int ok = 0;
        int mismatched = 0;
        long bytes = 0;
        long packets = 0;
        long timeouts = 0;
        long duplicates = 0;
        long droppedReceived = 0;
        long droppedSent = 0;
        Map<String, Integer> errors = new TreeMap<>();
        for (PhoneResult r : results) {
            if (r.ok()) {
                ok++;
                completion.recordValue(clamp(r.durationNanos()));
            } else {
                errors.merge(shorten(r.error()), 1, Integer::sum);
            }
            if (r.mismatch()) {
                mismatched++;
            }
            if (r.firstDataNanos() >= 0) {
                firstData.recordValue(clamp(r.firstDataNanos()));
            }
            bytes += r.ok() ? r.bytes() : 0;
            packets += r.dataPackets();
            timeouts += r.timeouts();
            duplicates += r.duplicates();
            droppedReceived += r.droppedReceived();
            droppedSent += r.droppedSent();
        }
        int failed = transfers - ok;
        return new LoadReport(transfers, ok, failed, mismatched, bytes, elapsedNanos, packets, completion, firstData,
                timeouts, duplicates, droppedReceived, droppedSent, cpuNanos, errors);
    }

    private static long clamp(long nanos) {
        return Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), TimeUnit.HOURS.toMicros(1)));
    }

    private static String shorten(String error) {
        // Group errors by their kind, not by block numbers.
        return error.replaceAll("\\d+", "N");
    }

    boolean allOk() {
        return ok == transfers;
    }

    double seconds() {
        return elapsedNanos / 1e9;
    }

    /** Goodput of the transfers that completed, in MB/s (10^6 bytes). */
    double goodputMBps() {
        return bytes / 1e6 / seconds();
    }

    double dataPacketsPerSecond() {
        return dataPackets / seconds();
    }

    /** The simulator's CPU seconds per GB (10^9 bytes) delivered. */
    double cpuSecondsPerGB() {
        return bytes == 0 ? 0 : cpuNanos / 1e9 / (bytes / 1e9);
    }

    /** A percentile of completion time in milliseconds (0 when nothing completed). */
    double completionMillis(double percentile) {
        return completionMicros.getTotalCount() == 0 ? 0 : completionMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    double firstDataMillis(double percentile) {
        return firstDataMicros.getTotalCount() == 0 ? 0 : firstDataMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The human-readable report. */
    String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "transfers     %d: ok %d, failed %d, mismatched %d%n", transfers, ok, failed, mismatched));
        sb.append(String.format(Locale.ROOT, "elapsed       %.2f s%n", seconds()));
        sb.append(String.format(Locale.ROOT, "goodput       %.1f MB/s (%d bytes verified)%n", goodputMBps(), bytes));
        sb.append(String.format(Locale.ROOT, "DATA packets  %.0f /s (%d)%n", dataPacketsPerSecond(), dataPackets));
        sb.append(String.format(Locale.ROOT, "completion    p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                completionMillis(50), completionMillis(90), completionMillis(99), completionMillis(100)));
        sb.append(String.format(Locale.ROOT, "first answer  p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                firstDataMillis(50), firstDataMillis(99), firstDataMillis(100)));
        sb.append(String.format(Locale.ROOT, "client        %d timeouts, %d duplicate DATA; simulated loss dropped %d received, %d sent%n",
                timeouts, duplicates, droppedReceived, droppedSent));
        sb.append(String.format(Locale.ROOT, "simulator CPU %.2f s (%.2f s per GB)%n", cpuNanos / 1e9, cpuSecondsPerGB()));
        errors.forEach((error, count) -> sb.append(String.format(Locale.ROOT, "error         %d × %s%n", count, error)));
        return sb.toString();
    }

    /** The same figures as JSON, for scripts. */
    String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("transfers", transfers);
        fields.put("ok", ok);
        fields.put("failed", failed);
        fields.put("mismatched", mismatched);
        fields.put("bytes", bytes);
        fields.put("elapsed_s", seconds());
        fields.put("goodput_MBps", goodputMBps());
        fields.put("data_packets", dataPackets);
        fields.put("data_packets_per_s", dataPacketsPerSecond());
        fields.put("completion_ms_p50", completionMillis(50));
        fields.put("completion_ms_p90", completionMillis(90));
        fields.put("completion_ms_p99", completionMillis(99));
        fields.put("completion_ms_max", completionMillis(100));
        fields.put("first_data_ms_p50", firstDataMillis(50));
        fields.put("first_data_ms_p99", firstDataMillis(99));
        fields.put("first_data_ms_max", firstDataMillis(100));
        fields.put("client_timeouts", timeouts);
        fields.put("duplicate_data", duplicates);
        fields.put("dropped_received", droppedReceived);
        fields.put("dropped_sent", droppedSent);
        fields.put("simulator_cpu_s", cpuNanos / 1e9);
        fields.put("simulator_cpu_s_per_GB", cpuSecondsPerGB());
        StringBuilder sb = new StringBuilder("{");
        fields.forEach((name, value) -> {
            sb.append('"').append(name).append("\":");
            if (value instanceof Double) {
                sb.append(String.format(Locale.ROOT, "%.3f", (Double) value));
            } else {
                sb.append(value);
            }
            sb.append(',');
        });
        sb.append("\"errors\":{");
        String separator = "";
        for (Map.Entry<String, Integer> e : errors.entrySet()) {
            sb.append(separator).append('"').append(escape(e.getKey())).append("\":").append(e.getValue());
            separator = ",";
        }
        return sb.append("}}").toString();
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}

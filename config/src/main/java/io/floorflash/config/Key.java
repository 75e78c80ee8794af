package io.floorflash.config;

import io.floorflash.config.ListenerSettings.TransportKind;
import io.floorflash.config.TransferSettings.RolloverSetting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A key of {@code reference.conf} with the type of its value, so code and tests set configuration through
 * {@link Overrides} without writing key names as strings, and so a change between two {@link Settings} can be told
 * apart as needing a restart or not ({@link Settings#restartNeeded}).
 *
 * <p>Each key says how its typed value is written in HOCON, where its value lives in {@link Settings}, and whether a
 * new value needs a restart: restart-only keys are built into a socket, a thread pool, a cache or a file when the
 * server starts; the others are read per request or per transfer, so a reload may swap them. A setting with no key
 * here (rules, groups, hooks, anything added later) counts as reloadable.
 *
 * @param <T> the value's type in code: {@code Integer} for a count or port, {@code Long} for bytes, {@link Duration},
 *            {@link Path}, an enum, {@code String} for an address as written (an IP literal or a host name)
 */
public final class Key<T> {
    private static final boolean RESTART = true;
    private static final boolean RELOAD = false;

    private static final Function<Object, Object> NUMBER = Function.identity();
    private static final Function<Object, Object> BOOLEAN = Function.identity();
    private static final Function<Object, Object> STRING = Function.identity();
    private static final Function<Object, Object> LIST = value -> List.copyOf((List<?>) value);
    /** Paths and port modes as written: their toString() is their HOCON form. */
    private static final Function<Object, Object> TEXT = Object::toString;
    /** Nanoseconds, which HOCON reads back exactly. */
    private static final Function<Object, Object> DURATION = value -> ((Duration) value).toNanos() + "ns";
    /** {@code IO_URING} is written {@code io-uring}. */
    private static final Function<Object, Object> ENUM =
            value -> ((Enum<?>) value).name().toLowerCase(Locale.ROOT).replace('_', '-');
    private static final Function<Object, Object> ROSTER = value -> {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Object item : (List<?>) value) {
            RosterEntry entry = (RosterEntry) item;
            Map<String, Object> written = new LinkedHashMap<>();
            written.put("address", entry.network().getHostAddress()
                    + (entry.isSingleAddress() ? "" : "/" + entry.prefixLength()));
            written.put("name", entry.name());
            entries.add(written);
        }
        return entries;
    };

    // floorflash.tftp
    public static final Key<String> TFTP_ADDRESS =
            new Key<>("tftp.address", STRING, s -> s.tftp().address(), RESTART);
    public static final Key<Integer> TFTP_PORT =
            new Key<>("tftp.port", NUMBER, s -> s.tftp().port(), RESTART);
    public static final Key<TransportKind> TFTP_TRANSPORT =
            new Key<>("tftp.transport", ENUM, s -> s.tftp().transport(), RESTART);
    public static final Key<Integer> TFTP_EVENT_LOOP_THREADS =
            new Key<>("tftp.event-loop-threads", NUMBER, s -> s.tftp().eventLoopThreads(), RESTART);
    public static final Key<Long> TFTP_RECEIVE_BUFFER =
            new Key<>("tftp.receive-buffer", NUMBER, s -> s.tftp().receiveBuffer(), RESTART);
    public static final Key<Integer> TFTP_SOCKETS =
            new Key<>("tftp.sockets", NUMBER, s -> s.tftp().sockets(), RESTART);
    public static final Key<Integer> TFTP_MAX_REQUESTS_PER_SECOND =
            new Key<>("tftp.max-requests-per-second", NUMBER, s -> s.tftp().maxRequestsPerSecond(), RESTART);

    // floorflash.transfer
    public static final Key<Integer> TRANSFER_MAX_BLOCK_SIZE =
            new Key<>("transfer.max-block-size", NUMBER, s -> s.transfer().maxBlockSize(), RESTART);
    public static final Key<Integer> TRANSFER_MAX_BLOCK_SIZE_IPV6 =
            new Key<>("transfer.max-block-size-ipv6", NUMBER, s -> s.transfer().maxBlockSizeIpv6(), RESTART);
    public static final Key<Integer> TRANSFER_MAX_WINDOW_SIZE =
            new Key<>("transfer.max-window-size", NUMBER, s -> s.transfer().maxWindowSize(), RESTART);
    public static final Key<RolloverSetting> TRANSFER_ROLLOVER =
            new Key<>("transfer.rollover", ENUM, s -> s.transfer().rollover(), RESTART);
    public static final Key<Integer> TRANSFER_MAX_ACTIVE_TRANSFERS =
            new Key<>("transfer.max-active-transfers", NUMBER, s -> s.transfer().maxActiveTransfers(), RESTART);
    public static final Key<Integer> TRANSFER_MAX_TRANSFERS_PER_ADDRESS =
            new Key<>("transfer.max-transfers-per-address", NUMBER, s -> s.transfer().maxTransfersPerAddress(), RESTART);
    public static final Key<Duration> TRANSFER_MAX_CLIENT_TIMEOUT =
            new Key<>("transfer.max-client-timeout", DURATION, s -> s.transfer().maxClientTimeout(), RESTART);
    public static final Key<Duration> TRANSFER_DEADLINE =
            new Key<>("transfer.deadline", DURATION, s -> s.transfer().deadline(), RESTART);
    public static final Key<Boolean> TRANSFER_UDP_GSO =
            new Key<>("transfer.udp-gso", BOOLEAN, s -> s.transfer().udpGso(), RESTART);
    public static final Key<TransferPortMode> TRANSFER_PORTS =
            new Key<>("transfer.ports", TEXT, s -> s.transfer().ports(), RESTART);
    public static final Key<Integer> TRANSFER_SOCKETS_PER_LOOP =
            new Key<>("transfer.sockets-per-loop", NUMBER, s -> s.transfer().socketsPerLoop(), RESTART);
    public static final Key<Integer> TRANSFER_UNKNOWN_TRANSFER_REPLIES_PER_SECOND =
            new Key<>("transfer.unknown-transfer-replies-per-second", NUMBER, s -> s.transfer().unknownTransferRepliesPerSecond(), RESTART);

    // floorflash.transfer.retransmit
    public static final Key<Duration> RETRANSMIT_INITIAL_TIMEOUT =
            new Key<>("transfer.retransmit.initial-timeout", DURATION, s -> s.transfer().retransmit().initialTimeout(), RESTART);
    public static final Key<Double> RETRANSMIT_BACKOFF =
            new Key<>("transfer.retransmit.backoff", NUMBER, s -> s.transfer().retransmit().backoff(), RESTART);
    public static final Key<Duration> RETRANSMIT_MAX_TIMEOUT =
            new Key<>("transfer.retransmit.max-timeout", DURATION, s -> s.transfer().retransmit().maxTimeout(), RESTART);
    public static final Key<Double> RETRANSMIT_JITTER =
            new Key<>("transfer.retransmit.jitter", NUMBER, s -> s.transfer().retransmit().jitter(), RESTART);
    public static final Key<Integer> RETRANSMIT_MAX_RETRIES =
            new Key<>("transfer.retransmit.max-retries", NUMBER, s -> s.transfer().retransmit().maxRetries(), RESTART);
    public static final Key<Integer> RETRANSMIT_MAX_UNVERIFIED_RETRIES =
            new Key<>("transfer.retransmit.max-unverified-retries", NUMBER, s -> s.transfer().retransmit().maxUnverifiedRetries(), RESTART);
    public static final Key<Boolean> RETRANSMIT_ADAPTIVE =
            new Key<>("transfer.retransmit.adaptive", BOOLEAN, s -> s.transfer().retransmit().adaptive(), RESTART);
    public static final Key<Duration> RETRANSMIT_MIN_TIMEOUT =
            new Key<>("transfer.retransmit.min-timeout", DURATION, s -> s.transfer().retransmit().minTimeout(), RESTART);

    // floorflash.firmware
    public static final Key<Path> FIRMWARE_ROOT =
            new Key<>("firmware.root", TEXT, s -> s.firmware().root(), RESTART);
    public static final Key<Long> FIRMWARE_CACHE_MAX_BYTES =
            new Key<>("firmware.cache-max-bytes", NUMBER, s -> s.firmware().cacheMaxBytes(), RESTART);
    public static final Key<Duration> FIRMWARE_CACHE_IDLE_EXPIRY =
            new Key<>("firmware.cache-idle-expiry", DURATION, s -> s.firmware().cacheIdleExpiry(), RESTART);
    public static final Key<Integer> FIRMWARE_LOAD_THREADS =
            new Key<>("firmware.load-threads", NUMBER, s -> s.firmware().loadThreads(), RESTART);
    public static final Key<Duration> FIRMWARE_LOAD_TIMEOUT =
            new Key<>("firmware.load-timeout", DURATION, s -> s.firmware().loadTimeout(), RESTART);
    public static final Key<Long> FIRMWARE_MEMORY_BUDGET =
            new Key<>("firmware.memory-budget", NUMBER, s -> s.firmware().memoryBudget(), RESTART);
    public static final Key<Boolean> FIRMWARE_REQUIRE_CHECKSUMS =
            new Key<>("firmware.require-checksums", BOOLEAN, s -> s.firmware().requireChecksums(), RELOAD);

    // floorflash.http
    public static final Key<Boolean> HTTP_ENABLED =
            new Key<>("http.enabled", BOOLEAN, s -> s.http().enabled(), RESTART);
    public static final Key<String> HTTP_ADDRESS =
            new Key<>("http.address", STRING, s -> s.http().address(), RESTART);
    public static final Key<Integer> HTTP_PORT =
            new Key<>("http.port", NUMBER, s -> s.http().port(), RESTART);
    public static final Key<Path> HTTP_TOKEN_FILE =
            new Key<>("http.token-file", TEXT, s -> s.http().tokenFile(), RESTART);
    public static final Key<List<String>> HTTP_ALLOWED_HOSTS =
            new Key<>("http.allowed-hosts", LIST, s -> s.http().allowedHosts(), RESTART);
    public static final Key<Integer> HTTP_MAX_CONNECTIONS =
            new Key<>("http.max-connections", NUMBER, s -> s.http().maxConnections(), RESTART);
    public static final Key<Duration> HTTP_HEADER_TIMEOUT =
            new Key<>("http.header-timeout", DURATION, s -> s.http().headerTimeout(), RESTART);
    public static final Key<Long> HTTP_MAX_REQUEST_BYTES =
            new Key<>("http.max-request-bytes", NUMBER, s -> s.http().maxRequestBytes(), RESTART);
    public static final Key<Duration> HTTP_IDLE_TIMEOUT =
            new Key<>("http.idle-timeout", DURATION, s -> s.http().idleTimeout(), RESTART);

    // floorflash.http.firmware
    public static final Key<Boolean> FIRMWARE_HTTP_ENABLED =
            new Key<>("http.firmware.enabled", BOOLEAN, s -> s.http().firmware().enabled(), RESTART);
    public static final Key<String> FIRMWARE_HTTP_ADDRESS =
            new Key<>("http.firmware.address", STRING, s -> s.http().firmware().address(), RESTART);
    public static final Key<Integer> FIRMWARE_HTTP_PORT =
            new Key<>("http.firmware.port", NUMBER, s -> s.http().firmware().port(), RESTART);
    public static final Key<Integer> FIRMWARE_HTTP_MAX_CONNECTIONS =
            new Key<>("http.firmware.max-connections", NUMBER, s -> s.http().firmware().maxConnections(), RESTART);

    // floorflash.http.floor
    public static final Key<Integer> FLOOR_MAX_PHONES =
            new Key<>("http.floor.max-phones", NUMBER, s -> s.http().floor().maxPhones(), RESTART);
    public static final Key<Duration> FLOOR_THROUGHPUT_HISTORY =
            new Key<>("http.floor.throughput-history", DURATION, s -> s.http().floor().throughputHistory(), RESTART);
    public static final Key<List<RosterEntry>> FLOOR_ROSTER =
            new Key<>("http.floor.roster", ROSTER, s -> s.http().floor().roster(), RELOAD);

    // floorflash.audit
    public static final Key<Boolean> AUDIT_ENABLED =
            new Key<>("audit.enabled", BOOLEAN, s -> s.audit().enabled(), RESTART);
    public static final Key<Path> AUDIT_FILE =
            new Key<>("audit.file", TEXT, s -> s.audit().file(), RESTART);
    public static final Key<Long> AUDIT_MAX_FILE_SIZE =
            new Key<>("audit.max-file-size", NUMBER, s -> s.audit().maxFileSize(), RESTART);
    public static final Key<Integer> AUDIT_MAX_HISTORY =
            new Key<>("audit.max-history", NUMBER, s -> s.audit().maxHistory(), RESTART);
    public static final Key<Long> AUDIT_TOTAL_SIZE_CAP =
            new Key<>("audit.total-size-cap", NUMBER, s -> s.audit().totalSizeCap(), RESTART);

    // floorflash.shutdown
    public static final Key<Duration> SHUTDOWN_DRAIN_TIME =
            new Key<>("shutdown.drain-time", DURATION, s -> s.shutdown().drainTime(), RELOAD);

    // floorflash.firmware.origin and its disk cache (built once, at start)
    public static final Key<String> ORIGIN_URL =
            new Key<>("firmware.origin.url", STRING, s -> s.origin().url().map(Object::toString).orElse(""), RESTART);
    public static final Key<Path> FIRMWARE_CACHE_DIR =
            new Key<>("firmware.cache-dir", TEXT, s -> s.origin().cacheDir(), RESTART);
    public static final Key<Duration> ORIGIN_CONNECT_TIMEOUT =
            new Key<>("firmware.origin.connect-timeout", DURATION, s -> s.origin().connectTimeout(), RESTART);
    public static final Key<Duration> ORIGIN_FETCH_TIMEOUT =
            new Key<>("firmware.origin.fetch-timeout", DURATION, s -> s.origin().fetchTimeout(), RESTART);
    public static final Key<Duration> ORIGIN_REVALIDATE_AFTER =
            new Key<>("firmware.origin.revalidate-after", DURATION, s -> s.origin().revalidateAfter(), RESTART);
    public static final Key<List<String>> ORIGIN_PREFETCH =
            new Key<>("firmware.origin.prefetch", LIST, s -> s.origin().prefetch(), RESTART);

    // floorflash.firmware.origin-s3 (built once, at start)
    public static final Key<String> S3_REGION =
            new Key<>("firmware.origin-s3.region", STRING, s -> s.s3Origin().region().orElse(""), RESTART);
    public static final Key<String> S3_ENDPOINT =
            new Key<>("firmware.origin-s3.endpoint", STRING,
                    s -> s.s3Origin().endpoint().map(Object::toString).orElse(""), RESTART);
    public static final Key<Boolean> S3_PATH_STYLE_ACCESS =
            new Key<>("firmware.origin-s3.path-style-access", BOOLEAN, s -> s.s3Origin().pathStyleAccess(), RESTART);
    public static final Key<Path> S3_CREDENTIALS_FILE =
            new Key<>("firmware.origin-s3.credentials-file", TEXT, s -> s.s3Origin().credentialsFile().orElse(null),
                    RESTART);

    // floorflash.node
    public static final Key<String> NODE_NAME =
            new Key<>("node.name", STRING, s -> s.node().name(), RESTART);

    // floorflash.uploads
    public static final Key<Boolean> UPLOADS_ENABLED =
            new Key<>("uploads.enabled", BOOLEAN, s -> s.uploads().enabled(), RESTART);
    public static final Key<Path> UPLOADS_ROOT =
            new Key<>("uploads.root", TEXT, s -> s.uploads().root(), RESTART);
    public static final Key<Long> UPLOADS_MAX_BYTES =
            new Key<>("uploads.max-bytes", NUMBER, s -> s.uploads().maxBytes(), RESTART);
    public static final Key<Boolean> UPLOADS_OVERWRITE =
            new Key<>("uploads.overwrite", BOOLEAN, s -> s.uploads().overwrite(), RESTART);
    public static final Key<Integer> UPLOADS_WRITE_THREADS =
            new Key<>("uploads.write-threads", NUMBER, s -> s.uploads().writeThreads(), RESTART);
    public static final Key<Long> UPLOADS_MAX_BUFFERED_BYTES =
            new Key<>("uploads.max-buffered-bytes", NUMBER, s -> s.uploads().maxBufferedBytes(), RESTART);

    // floorflash.hooks.webhook (a reload hands them to the webhook)
    public static final Key<String> WEBHOOK_URL =
            new Key<>("hooks.webhook.url", STRING, s -> s.hooks().webhook().url().map(Object::toString).orElse(""), RELOAD);
    public static final Key<Integer> WEBHOOK_MAX_RETRIES =
            new Key<>("hooks.webhook.max-retries", NUMBER, s -> s.hooks().webhook().maxRetries(), RELOAD);
    public static final Key<Duration> WEBHOOK_BACKOFF =
            new Key<>("hooks.webhook.backoff", DURATION, s -> s.hooks().webhook().backoff(), RELOAD);

    // floorflash.reload (read at start: the watcher is started then)
    public static final Key<Boolean> RELOAD_WATCH_CONFIG =
            new Key<>("reload.watch-config", BOOLEAN, s -> s.reload().watchConfig(), RESTART);
    public static final Key<Duration> RELOAD_SETTLE =
            new Key<>("reload.settle", DURATION, s -> s.reload().settle(), RESTART);

    private static final List<Key<?>> ALL = List.of(
            TFTP_ADDRESS,
            TFTP_PORT,
            TFTP_TRANSPORT,
            TFTP_EVENT_LOOP_THREADS,
            TFTP_RECEIVE_BUFFER,
            TFTP_SOCKETS,
            TFTP_MAX_REQUESTS_PER_SECOND,
            TRANSFER_MAX_BLOCK_SIZE,
            TRANSFER_MAX_BLOCK_SIZE_IPV6,
            TRANSFER_MAX_WINDOW_SIZE,
            TRANSFER_ROLLOVER,
            TRANSFER_MAX_ACTIVE_TRANSFERS,
            TRANSFER_MAX_TRANSFERS_PER_ADDRESS,
            TRANSFER_MAX_CLIENT_TIMEOUT,
            TRANSFER_DEADLINE,
            TRANSFER_UDP_GSO,
            TRANSFER_PORTS,
            TRANSFER_SOCKETS_PER_LOOP,
            TRANSFER_UNKNOWN_TRANSFER_REPLIES_PER_SECOND,
            RETRANSMIT_INITIAL_TIMEOUT,
            RETRANSMIT_BACKOFF,
            RETRANSMIT_MAX_TIMEOUT,
            RETRANSMIT_JITTER,
            RETRANSMIT_MAX_RETRIES,
            RETRANSMIT_MAX_UNVERIFIED_RETRIES,
            RETRANSMIT_ADAPTIVE,
            RETRANSMIT_MIN_TIMEOUT,
            FIRMWARE_ROOT,
            FIRMWARE_CACHE_MAX_BYTES,
            FIRMWARE_CACHE_IDLE_EXPIRY,
            FIRMWARE_LOAD_THREADS,
            FIRMWARE_LOAD_TIMEOUT,
            FIRMWARE_MEMORY_BUDGET,
            FIRMWARE_REQUIRE_CHECKSUMS,
            HTTP_ENABLED,
            HTTP_ADDRESS,
            HTTP_PORT,
            HTTP_TOKEN_FILE,
            HTTP_ALLOWED_HOSTS,
            HTTP_MAX_CONNECTIONS,
            HTTP_HEADER_TIMEOUT,
            HTTP_MAX_REQUEST_BYTES,
            HTTP_IDLE_TIMEOUT,
            FIRMWARE_HTTP_ENABLED,
            FIRMWARE_HTTP_ADDRESS,
            FIRMWARE_HTTP_PORT,
            FIRMWARE_HTTP_MAX_CONNECTIONS,
            FLOOR_MAX_PHONES,
            FLOOR_THROUGHPUT_HISTORY,
            FLOOR_ROSTER,
            AUDIT_ENABLED,
            AUDIT_FILE,
            AUDIT_MAX_FILE_SIZE,
            AUDIT_MAX_HISTORY,
            AUDIT_TOTAL_SIZE_CAP,
            SHUTDOWN_DRAIN_TIME,
            ORIGIN_URL,
            FIRMWARE_CACHE_DIR,
            ORIGIN_CONNECT_TIMEOUT,
            ORIGIN_FETCH_TIMEOUT,
            ORIGIN_REVALIDATE_AFTER,
            ORIGIN_PREFETCH,
            S3_REGION,
            S3_ENDPOINT,
            S3_PATH_STYLE_ACCESS,
            S3_CREDENTIALS_FILE,
            NODE_NAME,
            UPLOADS_ENABLED,
            UPLOADS_ROOT,
            UPLOADS_MAX_BYTES,
            UPLOADS_OVERWRITE,
            UPLOADS_WRITE_THREADS,
            UPLOADS_MAX_BUFFERED_BYTES,
            WEBHOOK_URL,
            WEBHOOK_MAX_RETRIES,
            WEBHOOK_BACKOFF,
            RELOAD_WATCH_CONFIG,
            RELOAD_SETTLE);

    private final String name;
    private final Function<Object, Object> hocon;
    private final Function<Settings, ?> current;
    private final boolean restartOnly;

    private Key(String path, Function<Object, Object> hocon, Function<Settings, ?> current, boolean restartOnly) {
        this.name = "floorflash." + path;
        this.hocon = hocon;
        this.current = current;
        this.restartOnly = restartOnly;
    }

    /** Every key, in reference.conf's order. */
    public static List<Key<?>> all() {
        return ALL;
    }

    /** The full key, {@code floorflash.tftp.port}: how problems and restart notices name it. */
    public String name() {
        return name;
    }

    /** Whether a new value takes effect only when the server is started again. */
    public boolean restartOnly() {
        return restartOnly;
    }

    /** The value in {@code settings}, in the record's own type (an address is an {@code InetAddress} there). */
    Object valueIn(Settings settings) {
        return current.apply(settings);
    }

    /** {@code value} as HOCON reads it, for {@code ConfigFactory.parseMap}. */
    Object toHocon(T value) {
        return hocon.apply(Objects.requireNonNull(value, name));
    }

    @Override
    public String toString() {
        return name;
    }
}

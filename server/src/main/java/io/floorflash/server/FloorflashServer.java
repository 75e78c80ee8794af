package io.floorflash.server;

import com.github.benmanes.caffeine.cache.Ticker;
import io.floorflash.config.Settings;
import io.floorflash.protocol.codec.TftpDatagramDecoder;
import io.floorflash.protocol.codec.TftpPacketEncoder;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.firmware.origin.OriginCache;
import io.floorflash.server.firmware.origin.PullThrough;
import io.floorflash.server.floor.FloorView;
import io.floorflash.server.http.FirmwareRoute;
import io.floorflash.server.http.GuardCounters;
import io.floorflash.server.http.HttpListener;
import io.floorflash.server.http.HttpSide;
import io.floorflash.server.http.SideRoutes;
import io.floorflash.server.metrics.FloorflashMetrics;
import io.floorflash.server.pipeline.PipelineNames;
import io.floorflash.server.pipeline.RequestDispatcher;
import io.floorflash.server.pipeline.TransferLauncher;
import io.floorflash.server.pipeline.UploadLauncher;
import io.floorflash.server.provisioning.Provisioning;
import io.floorflash.server.provisioning.UploadFiles;
import io.floorflash.server.provisioning.WebhookSender;
import io.floorflash.server.transfer.RefusalLog;
import io.floorflash.server.transfer.Refusals;
import io.floorflash.server.transfer.SegmentOffload;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferLog;
import io.floorflash.server.transfer.TransferPlanner;
import io.floorflash.server.transfer.TransferPort;
import io.floorflash.server.transfer.TransferPorts;
import io.floorflash.server.transfer.TransferRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running floorflash TFTP server: the listener, the event loops its transfers run on, and the firmware store.
 * {@link #stop(Duration)} drains and stops it; {@link #close()} stops it without waiting for transfers.
 *
 * <p>During a drain the listener stays bound and answers each new request with ERROR 0 "Server shutting down"
 * (from the client's transfer port, like every refusal): a phone learns at once to come back later instead of
 * waiting out its timeouts against a closed port, a retransmitted RRQ of a running transfer is still recognised and
 * ignored, and the refusals are counted. {@link #accepting()} reads false from the first moment of the drain.
 */
public final class FloorflashServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FloorflashServer.class);
    /** How long cancelled transfers get to report their end before the event loops are closed. */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(2);
    /** The largest request read whole: a filename of up to 512 bytes, a mode and a few options. */
    private static final int LISTENER_DATAGRAM = 2048;
    /** Refused requests logged one by one in each interval; the rest are summarised in one line at its end. */
    private static final int REFUSALS_LOGGED_PER_INTERVAL = 20;
    private static final long REFUSAL_LOG_INTERVAL_SECONDS = 10;

    private final Transport transport;
    private final FirmwareStore store;
    private final TransferRegistry registry;
    private final TransferPorts ports;
    private final SegmentOffload offload;
    private final DrainTally tally;
    private final Channel listener;
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** The operator HTTP side, or null when turned off. */
    private final HttpListener http;
    /** The phone-facing firmware HTTP side, or null when turned off. */
    private final HttpListener firmwareHttp;
    /** The Prometheus meters behind {@code /metrics}, or null with the operator side off. */
    private final FloorflashMetrics metrics;
    /** Everything {@link #start} built, closed in the reverse order once the drain is over. */
    private final Closer closer;
    private final Provisioning provisioning;
    /** The floor view, or null with the operator side off. */
    private final FloorView floor;
    /** Posts each finished transfer's audit line; off (and threadless) without a URL. */
    private final WebhookSender webhook;
    /** The settings in force: those started with, then each reload's. */
    private volatile Settings settings;
    /** Pull-through from the origin, or null without one. */
    private final PullThrough pull;

    private FloorflashServer(Transport transport, FirmwareStore store, TransferRegistry registry, TransferPorts ports,
                             SegmentOffload offload, DrainTally tally, Channel listener, HttpListener http,
                             HttpListener firmwareHttp, FloorflashMetrics metrics, Closer closer,
                             Provisioning provisioning, FloorView floor, WebhookSender webhook, Settings settings,
                             PullThrough pull) {
        this.transport = transport;
        this.store = store;
        this.registry = registry;
        this.ports = ports;
        this.offload = offload;
        this.tally = tally;
        this.listener = listener;
        this.http = http;
        this.firmwareHttp = firmwareHttp;
        this.metrics = metrics;
        this.closer = closer;
        this.provisioning = provisioning;
        this.floor = floor;
        this.webhook = webhook;
        this.settings = settings;
        this.pull = pull;
    }

    /** Starts a server that logs each finished transfer. */
    public static FloorflashServer start(Settings settings) throws ServerStartException {
        return start(settings, new TransferLog());
    }

    /**
     * Binds the listener and starts serving; with {@code floorflash.http.enabled}, also the operator HTTP side and the
     * floor view behind it; with {@code floorflash.http.firmware.enabled}, the phones' firmware HTTP side.
     *
     * <p>The composition root: each component is built here from the narrowest settings it needs and registered with
     * one {@link Closer} as it is built, so a start that fails at any step closes what was built, in reverse, before
     * the failure is thrown; {@link #stop} closes the same stack after the drain.
     *
     * @param transfers told of every transfer, refusal and finish (besides the floor view)
     * @throws ServerStartException when a port cannot be bound or the root is missing; the message names remedies
     */
    public static FloorflashServer start(Settings settings, TransferListener transfers) throws ServerStartException {
        if (!Files.isDirectory(settings.firmware().root())) {
            throw new ServerStartException("firmware root " + settings.firmware().root()
                    + " is not a directory (set --root or floorflash.firmware.root)", null);
        }
        Transport transport;
        try {
            transport = Transport.select(settings.tftp().transport());
        } catch (IllegalStateException e) {
            throw new ServerStartException(e.getMessage(), e);
        }
        Closer closer = new Closer();
        try {
            return assemble(settings, transfers, transport, closer);
        } catch (ServerStartException | RuntimeException | Error e) {
            closer.closeAfter(e);
            throw e;
        }
    }

    /** Builds the server in the order its parts are closed in reverse; see {@link #start}. */
    private static FloorflashServer assemble(Settings settings, TransferListener transfers, Transport transport,
                                             Closer closer) throws ServerStartException {
        // A cached pool: the store runs load-threads reads at a time and replaces one stuck past load-timeout.
        ExecutorService loadExecutor = Executors.newCachedThreadPool(
                new DefaultThreadFactory("floorflash-load", true));
        PullThrough pull = null;
        if (settings.origin().enabled()) {
            try {
                pull = PullThrough.open(settings.origin(), settings.s3Origin(), FirmwareStore.manifestReader());
            } catch (IOException e) {
                loadExecutor.shutdownNow();
                throw new ServerStartException("floorflash.firmware.cache-dir: " + settings.origin().cacheDir()
                        + " cannot be used (" + e + ")", e);
            }
            PullThrough opened = pull;
            closer.onClose("origin pull-through", () -> PullThrough.close(opened));
        }
        FirmwareStore store = new FirmwareStore(settings.firmware(), loadExecutor, Ticker.systemTicker(),
                pull == null ? null : pull.cache());
        // Closed last: no load may still run when the store lets go of its images.
        closer.onClose("firmware store", () -> {
            loadExecutor.shutdownNow();
            store.close();
        });
        WebhookSender webhook;
        try {
            webhook = new WebhookSender(settings.hooks().webhook(), settings.node().name());
        } catch (IllegalStateException e) {
            throw new ServerStartException(e.getMessage(), e);
        }
        // Closed once the event loops are: every transfer has ended, so the webhook has its last lines, and gets
        // shutdown-timeout to send them.
        closer.onClose("webhook", webhook::close);
        UploadFiles uploadFiles = null;
        if (settings.uploads().enabled()) {
            try {
                uploadFiles = UploadFiles.open(settings.uploads(), settings.firmware().root());
            } catch (IOException e) {
                throw new ServerStartException("uploads: " + e.getMessage(), e);
            }
            // Closed after the event loops: the temporary files of uploads the drain ended are deleted first.
            closer.onClose("uploads", uploadFiles::close);
        }
        if (settings.firmware().memoryBudget() > PlatformDependent.maxDirectMemory()) {
            log.warn("floorflash.firmware.memory-budget ({} bytes) is above the JVM's direct memory limit ({} bytes):"
                    + " raise -XX:MaxDirectMemorySize or lower the budget, or loads fail with OutOfMemoryError first",
                    settings.firmware().memoryBudget(), PlatformDependent.maxDirectMemory());
        }
        FloorflashMetrics metrics = settings.http().enabled()
                ? closer.register("metrics", new FloorflashMetrics(settings.node().name())) : null;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(settings.tftp().eventLoopThreads(),
                new DefaultThreadFactory("floorflash-io", true), transport.ioHandlerFactory());
        closer.onClose("event loops", () -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly());
        TransferRegistry registry = new TransferRegistry(settings.transfer().maxActiveTransfers(),
                settings.transfer().maxTransfersPerAddress());
        RefusalLog refusalLog = new RefusalLog(REFUSALS_LOGGED_PER_INTERVAL);
        FloorView floor = settings.http().enabled()
                ? new FloorView(settings.http().floor(), settings.provisioning().groups()) : null;
        DrainTally tally = new DrainTally();
        TransferListener listeners = floor == null ? TransferListener.all(List.of(tally, refusalLog, transfers, webhook))
                : TransferListener.all(List.of(tally, refusalLog, transfers, webhook, floor, metrics));
        if (metrics != null) {
            metrics.bindWebhook(webhook);
        }
        SegmentOffload offload = SegmentOffload.of(settings.transfer().udpGso() && transport.segmentOffload());
        if (settings.transfer().udpGso() && transport == Transport.EPOLL && !offload.enabled()) {
            log.info("UDP GSO is not available on this kernel; windows go out as separate datagrams");
        }
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
        TransferPorts ports = new TransferPorts(settings.transfer().ports(),
                new TransferPorts.Sockets(transport::datagramChannels, transport == Transport.EPOLL, settings.tftp().receiveBuffer()),
                loops, offload, settings.transfer().unknownTransferRepliesPerSecond(), settings.transfer().socketsPerLoop());
        Refusals refusals = new Refusals(ports, listeners);
        TransferPlanner planner = new TransferPlanner(settings.transfer());
        Provisioning provisioning = new Provisioning(settings.provisioning(), store);
        TransferLauncher launcher = new TransferLauncher(provisioning, registry, planner, ports, refusals, listeners,
                settings.transfer().deadline());
        UploadLauncher uploads = uploadFiles == null ? null : new UploadLauncher(uploadFiles, settings.uploads(), registry,
                planner, ports, refusals, listeners, settings.transfer().deadline());
        List<Channel> listenerChannels = bindListeners(settings, transport, group, ports, launcher, uploads, closer);
        // The transfer ports open their sockets for requests the listeners take in: closed before the listeners.
        closer.onClose("transfer ports", ports::close);
        HttpListener firmwareHttp = null;
        HttpListener http = null;
        try {
            if (settings.http().firmware().enabled()) {
                FirmwareRoute firmware = new FirmwareRoute(provisioning);
                GuardCounters guards = new GuardCounters();
                if (metrics != null) {
                    metrics.bindDownloads(firmware);
                    metrics.bindHttpGuards(HttpSide.FIRMWARE.label(), guards, false);
                }
                firmwareHttp = closer.register("firmware HTTP side",
                        HttpListener.firmware(settings.http(), transport, SideRoutes.firmware(firmware), guards));
            }
            if (floor != null) {
                GuardCounters guards = new GuardCounters();
                metrics.bindStore(store);
                metrics.bindSegmentOffload(offload);
                metrics.bindHttpGuards(HttpSide.OPERATOR.label(), guards, true);
                if (pull != null) {
                    metrics.bindOrigin(pull.cache());
                }
                OriginCache originCache = pull == null ? null : pull.cache();
                http = closer.register("operator HTTP side", HttpListener.operator(settings.http(), transport,
                        SideRoutes.operator(floor, settings.node().name(), metrics,
                                () -> registry.accepting() && listenerChannels.get(0).isActive(),
                                firmwareHttp == null ? null : firmwareHttp.localAddress(),
                                originCache == null ? List::of : originCache::fetching), guards));
            }
        } catch (RuntimeException e) {
            throw new ServerStartException(e.getMessage(), e);
        }
        if (http != null) {
            http.executor().scheduleAtFixedRate(floor::sample, 1, 1, TimeUnit.SECONDS);
        }
        ports.listenerBound(listenerChannels.get(0));
        group.next().scheduleAtFixedRate(refusalLog::flush, REFUSAL_LOG_INTERVAL_SECONDS, REFUSAL_LOG_INTERVAL_SECONDS,
                TimeUnit.SECONDS);
        group.terminationFuture().addListener(stopped -> refusalLog.flush());
        FloorflashServer server = new FloorflashServer(transport, store, registry, ports, offload, tally,
                listenerChannels.get(0), http, firmwareHttp, metrics, closer, provisioning, floor, webhook, settings, pull);
        log.info("floorflash listening on udp {} ({}, transfer ports: {}), serving {} as node {}",
                server.describeAddress(), transport.name().toLowerCase(Locale.ROOT), settings.transfer().ports(),
                settings.firmware().root(), settings.node().name());
        if (uploadFiles != null) {
            log.info("uploads accepted into {} (at most {} bytes each, overwrite {})", uploadFiles.root(),
                    settings.uploads().maxBytes(), settings.uploads().overwrite() ? "allowed" : "refused");
        }
        if (http != null) {
            log.info("floor page at {}", http.url());
        }
        if (firmwareHttp != null) {
            log.info("firmware over HTTP on tcp {}", describe(firmwareHttp.localAddress()));
        }
        if (pull != null) {
            log.info("names missing below {} are pulled from {} into {} (local files win)", settings.firmware().root(),
                    pull.cache().describe(), settings.origin().cacheDir());
            pull.prefetchInBackground(settings.origin().prefetch());
        }
        return server;
    }

    /**
     * Binds every listening socket, on a loop of its own (the transfers' group in single port mode), and registers
     * the loop and each socket with {@code closer}.
     *
     * @throws ServerStartException when the port cannot be bound; the message names remedies
     */
    private static List<Channel> bindListeners(Settings settings, Transport transport, EventLoopGroup group,
                                               TransferPorts ports, TransferLauncher launcher, UploadLauncher uploads,
                                               Closer closer)
            throws ServerStartException {
        TransferPort single = ports.listenerStage();
        // The listener reads and decides on its own thread: a flood of requests to refuse is read, decoded and
        // looked up there, not between a running transfer's ACKs. Single port mode has one socket for both.
        EventLoopGroup listenerGroup = group;
        if (single == null) {
            EventLoopGroup own = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("floorflash-listener", true),
                    transport.ioHandlerFactory());
            closer.onClose("listener loop", () -> own.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly());
            listenerGroup = own;
        }
        InetSocketAddress bindAddress = new InetSocketAddress(settings.tftp().address(), settings.tftp().port());
        int sockets = transport == Transport.EPOLL && single == null ? settings.tftp().sockets() : 1;
        Supplier<ChannelInboundHandlerAdapter> intake = settings.tftp().maxRequestsPerSecond() > 0
                ? RequestDispatcher.intakeLimits(settings.tftp().maxRequestsPerSecond()) : null;
        Bootstrap bootstrap = new Bootstrap()
                .group(listenerGroup)
                .channelFactory(transport.datagramChannels(bindAddress.getAddress()))
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        if (single != null) {
                            // Single port mode: the listener's socket is every transfer's port too.
                            ch.pipeline().addLast(PipelineNames.TRANSFERS, single);
                        } else if (intake != null) {
                            ch.pipeline().addLast(PipelineNames.INTAKE, intake.get());
                        }
                        ch.pipeline()
                                .addLast(PipelineNames.DECODER, TftpDatagramDecoder.INSTANCE)
                                .addLast(PipelineNames.ENCODER, TftpPacketEncoder.INSTANCE)
                                .addLast(PipelineNames.DISPATCHER, new RequestDispatcher(launcher, uploads,
                                        settings.transfer().unknownTransferRepliesPerSecond()));
                    }
                });
        if (settings.tftp().receiveBuffer() > 0) {
            bootstrap.option(ChannelOption.SO_RCVBUF, settings.tftp().receiveBuffer());
        }
        if (transport == Transport.EPOLL) {
            // Reports each request's destination address, so a wildcard listener answers from the address asked.
            // recvmmsg: a floor's burst of requests (and, in single mode, ACKs) is read in batches.
            bootstrap.option(EpollChannelOption.IP_RECVORIGDSTADDR, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, LISTENER_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(LISTENER_DATAGRAM * 32));
        }
        if (sockets > 1) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        List<Channel> listenerChannels = new ArrayList<>();
        try {
            if (sockets > 1) {
                // SO_REUSEPORT would let a second server of the same user share the port unnoticed: first make sure
                // the port is free with a plain socket, which fails on a port another process holds.
                bindAddress = new InetSocketAddress(bindAddress.getAddress(), freePort(bindAddress));
            }
            Channel first = bind(bootstrap, bindAddress, closer);
            listenerChannels.add(first);
            // The others on the port the first got (the kernel's pick when port 0 was asked).
            InetSocketAddress bound = new InetSocketAddress(bindAddress.getAddress(),
                    ((InetSocketAddress) first.localAddress()).getPort());
            for (int i = 1; i < sockets; i++) {
                listenerChannels.add(bind(bootstrap, bound, closer));
            }
        } catch (Exception e) {
            throw new ServerStartException(bindFailure(bindAddress, e), e);
        }
        return listenerChannels;
    }

    /** One listening socket, registered with {@code closer} once bound. */
    private static Channel bind(Bootstrap bootstrap, InetSocketAddress address, Closer closer) {
        Channel channel = bootstrap.bind(address).syncUninterruptibly().channel();
        closer.onClose("listener " + address, () -> channel.close().syncUninterruptibly());
        return channel;
    }

    /** The port of {@code address} (the kernel's pick for 0) after a plain socket bound it and let it go again. */
    private static int freePort(InetSocketAddress address) throws SocketException {
        try (DatagramSocket probe = new DatagramSocket(address)) {
            return probe.getLocalPort();
        }
    }

    private static String bindFailure(InetSocketAddress address, Exception e) {
        String reason = String.valueOf(e.getMessage());
        String where = address.getAddress().getHostAddress() + ":" + address.getPort();
        if (reason.contains("Permission denied") || reason.contains("Access denied")) {
            return "cannot bind udp " + where + ": permission denied. Ports below 1024 need privilege: run "
                    + "'sudo setcap cap_net_bind_service=+ep \"$(readlink -f \"$(command -v java)\")\"', or start it from "
                    + "systemd with AmbientCapabilities=CAP_NET_BIND_SERVICE, or choose another port with --port";
        }
        if (reason.contains("in use")) {
            return "cannot bind udp " + where + ": the port is in use (another TFTP server such as tftpd-hpa, atftpd or"
                    + " dnsmasq?). Stop it, or choose another port with --port or address with --address";
        }
        if (reason.contains("assign requested address")) {
            return "cannot bind udp " + where + ": this machine has no such address (check --address)";
        }
        return "cannot bind udp " + where + ": " + reason;
    }

    /** Where the listener is bound (the real port when 0 was asked). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    public Transport transport() {
        return transport;
    }

    public FirmwareStore store() {
        return store;
    }

    /** Whether new requests are taken on: the listener is bound and no drain has begun ({@code /readyz} is 200 while so). */
    public boolean accepting() {
        return registry.accepting() && listener.isActive();
    }

    /** Where the operator HTTP side listens, when it runs. */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http).map(HttpListener::localAddress);
    }

    /** The floor page's address ({@code http://127.0.0.1:8069/}), when the operator side runs. */
    public Optional<String> pageUrl() {
        return Optional.ofNullable(http).map(HttpListener::url);
    }

    /** Where the phones' firmware HTTP side listens, when it runs. */
    public Optional<InetSocketAddress> firmwareHttpAddress() {
        return Optional.ofNullable(firmwareHttp).map(HttpListener::localAddress);
    }

    /** Shows the audit log's lost lines in {@code /metrics}, when the operator side runs. */
    public void showAuditLoss(FloorflashMetrics.AuditLoss loss) {
        if (metrics != null) {
            metrics.bindAuditLoss(loss);
        }
    }

    /** Which phone gets which file: the rules and groups in force. */
    public Provisioning provisioning() {
        return provisioning;
    }

    /** The settings in force: those started with, or the last reload's. */
    public Settings settings() {
        return settings;
    }

    /** Shows configuration reloads in {@code /metrics}, when the operator side runs. */
    void showReloads(FloorflashMetrics.Reloads reloads) {
        if (metrics != null) {
            metrics.bindReloads(reloads);
        }
    }

    /**
     * Puts the reloadable part of {@code next} in force for what is decided from now on: rules and groups, the roster,
     * require-checksums, the webhook (lines queued for it go to the new URL), the drain time. Running transfers keep
     * their images. Returns the keys of settings that changed but need a restart (their running values stay), such as
     * {@code floorflash.tftp.port}.
     */
    public synchronized List<String> reconfigure(Settings next) {
        webhook.reconfigure(next.hooks().webhook()); // first: a headers file it cannot read fails the whole reload
        List<String> restart = Settings.restartNeeded(settings, next);
        provisioning.replace(next.provisioning());
        store.requireChecksums(next.firmware().requireChecksums());
        if (floor != null) {
            floor.reconfigure(next.http().floor().roster(), next.provisioning().groups());
        }
        settings = next;
        return restart;
    }

    /** The webhook, for a reload to hand new settings to ({@link WebhookSender#reconfigure}), and its counts. */
    public WebhookSender webhook() {
        return webhook;
    }

    /** UDP GSO for windows: whether it is on, and the sends made with it. */
    public SegmentOffload segmentOffload() {
        return offload;
    }

    /** Transfers running now. */
    public int activeTransfers() {
        return registry.size();
    }

    /** The transfer sockets open now, not the listener's (none yet before the first request; none in single mode). */
    public List<InetSocketAddress> transferPorts() {
        return ports.openPorts();
    }

    private String describeAddress() {
        return describe(localAddress());
    }

    private static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /**
     * Stops at once: running transfers are ended with an ERROR to their client, then the listener, the event loops and
     * the store are closed. {@link #stop(Duration)} with no drain time.
     */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    /**
     * Drains and stops; blocks the calling thread (never call it on an event loop). New requests are refused from now
     * on; running transfers get up to {@code drainTime} to finish; those still running then are ended with ERROR 0
     * "Server shutting down" and reported CANCELLED. Then the listener, the event loops and the store are closed.
     * Logs one line when the drain starts and one when it ends. A second call returns at once.
     */
    public void stop(Duration drainTime) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        registry.stopAccepting();
        tally.begin();
        int running = registry.size();
        log.info("floorflash stopping: new requests refused; {} transfer{} running, waiting up to {} ms for {}", running,
                running == 1 ? "" : "s", drainTime.toMillis(), running == 1 ? "it" : "them");
        int told = 0;
        if (!await(registry.whenIdle(), drainTime)) {
            told = registry.cancelAll(TransferLauncher.SHUTTING_DOWN);
            if (!await(registry.whenIdle(), CANCEL_GRACE)) {
                log.warn("floorflash stopping: {} transfers did not report their end; closing their ports", registry.size());
            }
        }
        log.info("floorflash drained in {} ms: {} transfer{} finished, {} cancelled ({} told to end); {} request{} refused",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), tally.finished(), tally.finished() == 1 ? "" : "s",
                tally.cancelled(), told, tally.refused(), tally.refused() == 1 ? "" : "s");
        // Both HTTP sides stayed up through the drain (readyz answered 503 from its start); now everything start built
        // closes, the last built first: the HTTP sides, the transfer ports, the listeners, the event loops, the store.
        closer.close();
        log.info("floorflash stopped");
    }

    /** Waits for {@code future} at most {@code timeout}; true when it completed. */
    private static boolean await(CompletableFuture<Void> future, Duration timeout) {
        try {
            future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return future.isDone();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the idle signal failed", e);
        }
    }
}

package io.floorflash.loadtest;

import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpOptions;
import io.floorflash.protocol.TransferMode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs one {@link LoadScenario}: keeps {@code phones} simulated phones in flight on a few event loops (one socket
 * each, no thread per phone) until {@code transfers} have ended or the duration cap is reached, printing a progress
 * line once a second. Every loop is bounded in count and in time.
 */
final class LoadRun {
    /** The phones' timer resolution: at most this late, and at most 1/64 of the client timeout late. */
    private static final long MAX_TIMER_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MIN_TIMER_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final LoadScenario scenario;
    private final PrintStream progress;
    private final ConcurrentLinkedQueue<PhoneResult> results = new ConcurrentLinkedQueue<>();
    private final Set<SimulatedPhone> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final LongAdder bytes = new LongAdder();
    private final CountDownLatch allDone;
    private final LoopTimers timers;
    private final boolean epoll = Epoll.isAvailable();
    /** Why the run is being stopped, or null while it runs: once set, no phone starts. */
    private volatile String stopping;
    private EventLoopGroup group;
    private Bootstrap bootstrap;

    LoadRun(LoadScenario scenario, PrintStream progress) {
        this.scenario = scenario;
        this.progress = progress;
        this.allDone = new CountDownLatch(scenario.transfers());
        long tick = Math.max(MIN_TIMER_TICK_NANOS, Math.min(MAX_TIMER_TICK_NANOS, scenario.clientTimeout().toNanos() / 64));
        this.timers = new LoopTimers(tick);
    }

    /** Runs the scenario to its end and returns the report. */
    LoadReport run() throws InterruptedException {
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // Sockets of the server's address family: a dual-stack IPv6 socket talking to an IPv4 server takes the
        // IPv6 paths of the kernel's send and receive for every packet.
        SocketProtocolFamily family = scenario.server().getAddress() instanceof Inet4Address
                ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        ChannelFactory<DatagramChannel> channels = epoll
                ? () -> new EpollDatagramChannel(family)
                : () -> new NioDatagramChannel(family);
        group = new MultiThreadIoEventLoopGroup(scenario.threads(), new DefaultThreadFactory("phone", true), io);
        bootstrap = new Bootstrap().group(group).channelFactory(channels)
                .option(ChannelOption.SO_RCVBUF, receiveBuffer())
                // Room for the largest DATA the phone asked for: Netty's default of 2048 bytes truncates larger blocks.
                .option(ChannelOption.RCVBUF_ALLOCATOR, receiveAllocator());
        if (epoll) {
            // A phone has at most one window in flight and reads at most a window per readiness: level-triggered, it
            // needs no extra recvmsg to meet EAGAIN after each packet (about 5% less simulator CPU in lock-step).
            bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("loadtest-clock", true));
        long cpuBefore = processCpuNanos();
        long startedAt = System.nanoTime();
        try {
            int initial = scenario.rampPerSecond() == 0 ? Math.min(scenario.phones(), scenario.transfers()) : 0;
            for (int i = 0; i < initial; i++) {
                launch();
            }
            if (scenario.rampPerSecond() > 0) {
                long periodNanos = Math.max(1, TimeUnit.SECONDS.toNanos(1) / scenario.rampPerSecond());
                clock.scheduleAtFixedRate(this::rampOne, 0, periodNanos, TimeUnit.NANOSECONDS);
            }
            clock.scheduleAtFixedRate(() -> printProgress(startedAt), 1, 1, TimeUnit.SECONDS);
            boolean completed = allDone.await(scenario.maxDuration().toNanos(), TimeUnit.NANOSECONDS);
            clock.shutdownNow();
            if (!completed) {
                stopAll("run duration cap of " + scenario.maxDuration().toSeconds() + " s reached");
            }
            long elapsed = System.nanoTime() - startedAt;
            long cpu = processCpuNanos() - cpuBefore;
            return LoadReport.of(scenario, results, scenario.transfers(), elapsed, cpu);
        } finally {
            clock.shutdownNow();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Starts one more phone, if the total allows. Any thread. */
    private void launch() {
        if (stopping != null) {
            return;
        }
        int id = started.incrementAndGet();
        if (id > scenario.transfers()) {
            started.decrementAndGet();
            return;
        }
        ReadRequest request = new ReadRequest(scenario.file(), TransferMode.OCTET, scenario.options());
        ClientTransfer transfer = new ClientTransfer(request.options(), scenario.expected().checker(), scenario.clientRetries());
        LossModel loss = new LossModel(scenario.receiveLoss(), scenario.sendLoss(), scenario.seed() * 1_000_003L + id);
        SimulatedPhone[] self = new SimulatedPhone[1];
        SimulatedPhone phone = new SimulatedPhone(scenario.server(), request, transfer, scenario.clientTimeout().toNanos(),
                loss, bytes, timers, result -> onDone(self[0], result));
        self[0] = phone;
        running.add(phone);
        String stopped = stopping;
        if (stopped != null) {
            // stopAll may have looked at the running phones before this one was added.
            onDone(phone, new PhoneResult(false, false, stopped, 0, -1, 0, 0, 0, 0, 0, 0, 0));
            return;
        }
        InetSocketAddress local = new InetSocketAddress(scenario.localAddressOf(id), 0);
        ChannelFuture bind = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(phone);
            }
        }).bind(local);
        bind.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                phone.begin();
            } else {
                onDone(phone, new PhoneResult(false, false, "bind failed: " + f.cause(), 0, -1, 0, 0, 0, 0, 0, 0, 0));
            }
        });
    }

    private void onDone(SimulatedPhone phone, PhoneResult result) {
        if (!running.remove(phone)) {
            return;
        }
        results.add(result);
        if (!result.ok()) {
            failed.incrementAndGet();
        }
        finished.incrementAndGet();
        allDone.countDown();
        if (scenario.rampPerSecond() == 0) {
            launch();
        }
    }

    private void rampOne() {
        if (running.size() < scenario.phones()) {
            launch();
        }
    }

    private void stopAll(String why) {
        stopping = why;
        // Take the remaining transfers so no launch can start one; they count as done, so the wait below is only
        // for the phones that are running.
        int never = scenario.transfers() - started.getAndSet(scenario.transfers());
        for (int i = 0; i < never; i++) {
            results.add(new PhoneResult(false, false, "never started: " + why, 0, -1, 0, 0, 0, 0, 0, 0, 0));
            allDone.countDown();
        }
        for (SimulatedPhone phone : running) {
            if (!phone.stopOnItsLoop(why)) {
                onDone(phone, new PhoneResult(false, false, why, 0, -1, 0, 0, 0, 0, 0, 0, 0));
            }
        }
        try {
            allDone.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void printProgress(long startedAt) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt);
        double mb = bytes.sum() / 1e6;
        progress.printf("t=%ds done=%d active=%d failed=%d MB=%.1f MB/s=%.1f%n", seconds, finished.get(), running.size(),
                failed.get(), mb, seconds == 0 ? 0 : mb / seconds);
    }

    /** Buffers as large as the largest DATA the phones asked for, and a window's worth of datagrams per read. */
    private RecvByteBufAllocator receiveAllocator() {
        int blockSize = Math.max(TftpOptions.DEFAULT_BLOCK_SIZE, optionValue(TftpOptions.BLKSIZE, OptionLimits.MAX_BLOCK_SIZE));
        int window = Math.max(1, optionValue(TftpOptions.WINDOWSIZE, 1));
        return new FixedRecvByteBufAllocator(Math.min(OptionLimits.MAX_BLOCK_SIZE, blockSize) + 4)
                .maxMessagesPerRead(Math.min(window, 64));
    }

    /** The scenario's option {@code name} as a number; {@code whenGarbage} when it is not one (a custom option set). */
    private int optionValue(String name, int whenGarbage) {
        String value = scenario.options().get(name);
        if (value == null) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return whenGarbage;
        }
    }

    private int receiveBuffer() {
        return 256 * 1024;
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return 0;
    }
}

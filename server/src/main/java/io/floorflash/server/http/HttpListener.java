package io.floorflash.server.http;

import io.floorflash.config.HttpSettings;
import io.floorflash.server.Transport;
import io.floorflash.server.pipeline.PipelineNames;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP side ({@link HttpSide}): one TCP port, Netty's HTTP/1.1 codec with small limits, the side's guards and its
 * {@link HttpRoutes}.
 *
 * <p>Each side runs on an event loop of its own, one thread, rather than on the transfers' loops: rendering the floor
 * for 10,000 phones takes milliseconds, and that time must not sit in front of DATA packets and retransmission timers;
 * nor should a floor of phones downloading over HTTP slow the operator's page. The operator side's thread also takes
 * the floor's once-a-second sample.
 *
 * <p>The guards: a connection beyond the side's cap is closed on arrival ({@link ConnectionCap}); a request must
 * arrive whole within the header timeout ({@link HeaderDeadline}); every answer says {@code nosniff}
 * ({@link NoSniff}); and on the operator side the {@link OperatorGate} checks the Host header and the token before
 * any route runs.
 */
public final class HttpListener implements AutoCloseable {
    /** Longest request line (method, URI, version); longer gets 414. */
    static final int MAX_INITIAL_LINE = 4096;
    /** All header lines together; more gets 431. */
    static final int MAX_HEADER_BYTES = 8192;

    private final HttpSide side;
    private final EventLoopGroup group;
    private final Channel listener;

    private HttpListener(HttpSide side, EventLoopGroup group, Channel listener) {
        this.side = side;
        this.group = group;
        this.listener = listener;
    }

    /**
     * Starts the operator side on {@code settings.address():settings.port()}: {@code routes} behind the Host check
     * and, when {@code floorflash.http.token-file} is set, the token, read from its file now.
     *
     * @throws IllegalStateException when the token file is unfit or the port cannot be bound; the message says which
     *                               and what to do
     */
    public static HttpListener operator(HttpSettings settings, Transport transport, HttpRoutes routes,
                                        GuardCounters counters) {
        OperatorToken token = settings.tokenFile().map(OperatorToken::read).orElse(null);
        HttpGate gate = new OperatorGate(new HostCheck(settings.allowedHosts()), token, counters);
        return start(HttpSide.OPERATOR, new InetSocketAddress(settings.address(), settings.port()),
                HttpLimits.operator(settings), transport, new HttpRouter(routes, gate), counters);
    }

    /**
     * Starts the firmware side on {@code settings.firmware()}'s address and port, serving {@code routes} to anyone.
     *
     * @throws IllegalStateException when the port cannot be bound; the message says why and what to do
     */
    public static HttpListener firmware(HttpSettings settings, Transport transport, HttpRoutes routes,
                                        GuardCounters counters) {
        return start(HttpSide.FIRMWARE, new InetSocketAddress(settings.firmware().address(), settings.firmware().port()),
                HttpLimits.firmware(settings), transport, new HttpRouter(routes, HttpGate.OPEN), counters);
    }

    private static HttpListener start(HttpSide side, InetSocketAddress address, HttpLimits limits, Transport transport,
                                      HttpRouter router, GuardCounters counters) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("floorflash-http-" + side.label(), true), transport.ioHandlerFactory());
        ConnectionCap cap = new ConnectionCap(side, limits.maxConnections(), counters);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 128)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (cap.admit(ch)) {
                            configure(ch.pipeline(), router, limits, counters);
                        }
                    }
                });
        try {
            Channel listener = bootstrap.bind(address).syncUninterruptibly().channel();
            return new HttpListener(side, group, listener);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException(bindFailure(side, address, e), e);
        }
    }

    /**
     * The stages of one HTTP connection. The header deadline's two stages stand either side of the codec: they see a
     * request's first bytes arrive and its end decoded. {@link NoSniff} follows the codec so every answer passes it.
     * The flow control and the pacer take one request at a time, so answers written later from a callback (a
     * firmware image still loading) keep the order of pipelined requests; the chunked writer sends large bodies only
     * as fast as the connection drains.
     */
    static void configure(ChannelPipeline pipeline, HttpRouter router, HttpLimits limits, GuardCounters counters) {
        HeaderDeadline deadline = new HeaderDeadline(limits.headerTimeout(), counters);
        int idleSeconds = (int) Math.max(1, limits.idleTimeout().toSeconds());
        pipeline.addLast(PipelineNames.HTTP_REQUEST_START, deadline.bytes())
                .addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                .addLast(PipelineNames.HTTP_NOSNIFF, NoSniff.INSTANCE)
                .addLast(PipelineNames.HTTP_REQUEST_DEADLINE, deadline.requests())
                .addLast(PipelineNames.HTTP_IDLE, new IdleStateHandler(true, 0, 0, idleSeconds, TimeUnit.SECONDS))
                .addLast(PipelineNames.HTTP_AGGREGATOR, new HttpObjectAggregator(limits.maxRequestBytes()))
                .addLast(PipelineNames.HTTP_FLOW_CONTROL, new FlowControlHandler())
                .addLast(PipelineNames.HTTP_PACER, new ResponsePacer())
                .addLast(PipelineNames.HTTP_CHUNKED, new ChunkedWriteHandler())
                .addLast(PipelineNames.HTTP_ROUTER, router);
    }

    private static String bindFailure(HttpSide side, InetSocketAddress address, Exception e) {
        String reason = String.valueOf(e.getMessage());
        String where = "cannot bind " + side + " on tcp " + address.getAddress().getHostAddress() + ":" + address.getPort();
        if (reason.contains("in use")) {
            return where + ": the port is in use. Choose another with " + side.portFlag() + ", or turn it off with "
                    + side.enabledKey() + " = false";
        }
        if (reason.contains("Permission denied") || reason.contains("Access denied")) {
            return where + ": permission denied (choose a port above 1023 with " + side.portFlag()
                    + ", or grant CAP_NET_BIND_SERVICE)";
        }
        if (reason.contains("assign requested address")) {
            return where + ": this machine has no such address (check " + side.addressFlag() + ")";
        }
        return where + ": " + reason;
    }

    /** Which side this is. */
    public HttpSide side() {
        return side;
    }

    /** Where it listens (the real port when 0 was asked). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** This side's own event loop, for light periodic work such as the floor's sample. */
    public EventExecutor executor() {
        return listener.eventLoop();
    }

    /**
     * This side's root address, e.g. {@code http://127.0.0.1:8069/}; on a wildcard address the loopback one, which
     * reaches it from this machine.
     */
    public String url() {
        InetSocketAddress address = localAddress();
        String host = address.getAddress().getHostAddress();
        if (address.getAddress().isAnyLocalAddress()) {
            host = "127.0.0.1";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/";
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

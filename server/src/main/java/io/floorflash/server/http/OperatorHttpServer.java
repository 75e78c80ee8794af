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
 * The operator HTTP side: one TCP port, Netty's HTTP/1.1 codec with small limits, and the {@link HttpRoutes}.
 *
 * <p>It runs on an event loop of its own, one thread, rather than on the transfers' loops: rendering the floor for
 * 10,000 phones takes milliseconds, and that time must not sit in front of DATA packets and retransmission timers.
 * The operator side is a handful of connections; one thread is plenty, and it also takes the floor's once-a-second
 * sample.
 */
public final class OperatorHttpServer implements AutoCloseable {
    /** Longest request line (method, URI, version); longer gets 414. */
    static final int MAX_INITIAL_LINE = 4096;
    /** All header lines together; more gets 431. */
    static final int MAX_HEADER_BYTES = 8192;

    private final EventLoopGroup group;
    private final Channel listener;

    private OperatorHttpServer(EventLoopGroup group, Channel listener) {
        this.group = group;
        this.listener = listener;
    }

    /**
     * Binds {@code settings.address():settings.port()} and serves {@code routes}.
     *
     * @throws IllegalStateException when the port cannot be bound; the message says which and why
     */
    public static OperatorHttpServer start(HttpSettings settings, Transport transport, HttpRoutes routes) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("floorflash-http", true),
                transport.ioHandlerFactory());
        HttpRouter router = new HttpRouter(routes);
        int idleSeconds = (int) Math.max(1, settings.idleTimeout().toSeconds());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 128)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        configure(ch.pipeline(), router, settings.maxRequestBytes(), idleSeconds);
                    }
                });
        InetSocketAddress address = new InetSocketAddress(settings.address(), settings.port());
        try {
            Channel listener = bootstrap.bind(address).syncUninterruptibly().channel();
            return new OperatorHttpServer(group, listener);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException(bindFailure(address, e), e);
        }
    }

    /**
     * The stages of one HTTP connection. The flow control and the pacer take one request at a time, so answers written
     * later from a callback (a firmware image still loading) keep the order of pipelined requests; the chunked writer
     * sends large bodies only as fast as the connection drains.
     */
    static void configure(ChannelPipeline pipeline, HttpRouter router, int maxRequestBytes, int idleSeconds) {
        pipeline.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                .addLast(PipelineNames.HTTP_IDLE, new IdleStateHandler(true, 0, 0, idleSeconds, TimeUnit.SECONDS))
                .addLast(PipelineNames.HTTP_AGGREGATOR, new HttpObjectAggregator(maxRequestBytes))
                .addLast(PipelineNames.HTTP_FLOW_CONTROL, new FlowControlHandler())
                .addLast(PipelineNames.HTTP_PACER, new ResponsePacer())
                .addLast(PipelineNames.HTTP_CHUNKED, new ChunkedWriteHandler())
                .addLast(PipelineNames.HTTP_ROUTER, router);
    }

    private static String bindFailure(InetSocketAddress address, Exception e) {
        String reason = String.valueOf(e.getMessage());
        String where = address.getAddress().getHostAddress() + ":" + address.getPort();
        if (reason.contains("in use")) {
            return "cannot bind the HTTP side on tcp " + where + ": the port is in use. Choose another with --http-port,"
                    + " or turn the HTTP side off with floorflash.http.enabled = false";
        }
        if (reason.contains("Permission denied") || reason.contains("Access denied")) {
            return "cannot bind the HTTP side on tcp " + where + ": permission denied (choose a port above 1023 with --http-port)";
        }
        if (reason.contains("assign requested address")) {
            return "cannot bind the HTTP side on tcp " + where + ": this machine has no such address (check --http-address)";
        }
        return "cannot bind the HTTP side on tcp " + where + ": " + reason;
    }

    /** Where it listens (the real port when 0 was asked). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** The HTTP side's own event loop, for light periodic work such as the floor's sample. */
    public EventExecutor executor() {
        return listener.eventLoop();
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8069/}. */
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

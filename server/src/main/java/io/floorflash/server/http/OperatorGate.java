package io.floorflash.server.http;

import io.floorflash.protocol.SafeText;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator side's gate: first the Host header ({@link HostCheck}: 421, or 400 without one), then, when a token
 * file is configured, the token ({@link OperatorToken}: 401 with {@code WWW-Authenticate: Bearer}).
 *
 * <p>Open without the token: {@code /healthz} and {@code /readyz} (probes from systemd, Kubernetes or a load balancer
 * cannot send one, and they tell nothing about the phones), and {@code /firmware/...}, which only answers where the
 * firmware side is. Everything else, an unknown path included, needs the token, so a stranger cannot even tell which
 * paths exist.
 *
 * <p>The browser's login: {@code GET /?token=TOKEN} answers 303 to {@code /} with the token in an HttpOnly,
 * SameSite=Strict cookie, so the token leaves the address bar and the history at once and the page's own requests
 * carry it from then on. A wrong token there gets 401 like any other.
 */
final class OperatorGate implements HttpGate {
    private static final Logger log = LoggerFactory.getLogger(OperatorGate.class);
    private static final Set<String> OPEN_PATHS = Set.of(HealthRoutes.HEALTHZ, HealthRoutes.READYZ);
    private static final String PAGE = "/";
    private static final String TOKEN_PARAMETER = "token";
    /** The longest Host header quoted back in a 421. */
    private static final int MAX_QUOTED = 100;

    private final HostCheck hosts;
    /** Null when no token is asked for. */
    private final OperatorToken token;
    private final GuardCounters counters;

    OperatorGate(HostCheck hosts, OperatorToken token, GuardCounters counters) {
        this.hosts = hosts;
        this.token = token;
        this.counters = counters;
    }

    @Override
    public boolean admit(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        switch (hosts.check(request, ctx.channel().localAddress())) {
            case OK:
                break;
            case MISSING:
                counters.deniedByHost.increment();
                HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST,
                        "Bad request: exactly one Host header is required");
                return false;
            case MISDIRECTED:
                counters.deniedByHost.increment();
                String host = SafeText.escape(quoted(request.headers().get(HttpHeaderNames.HOST)));
                log.debug("HTTP 421 to {}: Host '{}'", ctx.channel().remoteAddress(), host);
                HttpResponses.text(ctx, request, HttpResponseStatus.MISDIRECTED_REQUEST, "Misdirected request: this server"
                        + " does not answer to the host '" + host + "' (operators who reach it by that name add it to"
                        + " floorflash.http.allowed-hosts)");
                return false;
            default:
                throw new AssertionError(hosts);
        }
        String path = uri.path();
        if (token == null || OPEN_PATHS.contains(path) || path.startsWith(FirmwareRoute.PREFIX)) {
            return true;
        }
        List<String> offered = PAGE.equals(path) ? uri.parameters().get(TOKEN_PARAMETER) : null;
        if (offered != null) {
            if (offered.size() == 1 && token.matches(offered.get(0))) {
                logIn(ctx, request);
                return false;
            }
        } else if (token.carriedBy(request.headers())) {
            return true;
        }
        counters.deniedByToken.increment();
        log.debug("HTTP 401 to {}: no valid token for {}", ctx.channel().remoteAddress(), SafeText.escape(path));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED,
                Unpooled.copiedBuffer("Unauthorized: this floorflash asks for its operator token (the file"
                        + " floorflash.http.token-file names holds it). Send 'Authorization: Bearer TOKEN', or open"
                        + " /?token=TOKEN once in the browser.\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.TEXT)
                .set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"floorflash\"");
        HttpResponses.send(ctx, request, response);
        return false;
    }

    /** 303 to the page, setting the cookie: the address bar and the history keep {@code /} without the token. */
    private void logIn(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SEE_OTHER,
                Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.LOCATION, PAGE)
                .set(HttpHeaderNames.SET_COOKIE, token.setCookie());
        HttpResponses.send(ctx, request, response);
    }

    private static String quoted(String host) {
        return host.length() > MAX_QUOTED ? host.substring(0, MAX_QUOTED) + "..." : host;
    }
}

package io.floorflash.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Who may ask an HTTP side: the router asks the gate about every well-formed request before it looks at the method
 * or picks a route.
 */
@FunctionalInterface
interface HttpGate {
    /** Lets every request through: the firmware side, which serves what TFTP serves to anyone. */
    HttpGate OPEN = (ctx, request, uri) -> true;

    /**
     * True to let {@code request} through; false when the gate has answered it itself (a refusal, or the browser's
     * token login). Does not release {@code request}.
     */
    boolean admit(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri);
}

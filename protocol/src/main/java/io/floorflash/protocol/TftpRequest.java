package io.floorflash.protocol;

import java.util.Map;

/** A read or write request: a file name, a mode and the RFC 2347 options in the order the client sent them. */
public sealed interface TftpRequest extends TftpPacket permits ReadRequest, WriteRequest {
    /** The file name exactly as the client sent it; path safety is the server's job. */
    String filename();

    TransferMode mode();

    /** Option names in lower case (they are case-insensitive), values as sent, in request order. */
    Map<String, String> options();
}

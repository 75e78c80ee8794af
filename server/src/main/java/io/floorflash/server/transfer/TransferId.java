package io.floorflash.server.transfer;

import io.floorflash.protocol.SafeText;
import java.net.InetSocketAddress;

/**
 * Who asked for what; prints as {@code client=10.0.0.7:41000 file=snom320.bin} in every log line, the name with its
 * control characters escaped ({@link SafeText}).
 */
public record TransferId(InetSocketAddress client, String file) {
    @Override
    public String toString() {
        return "client=" + client.getAddress().getHostAddress() + ":" + client.getPort() + " file=" + SafeText.escape(file);
    }
}

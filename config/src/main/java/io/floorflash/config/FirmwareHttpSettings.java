package io.floorflash.config;

import java.net.InetAddress;

/**
 * The phone-facing HTTP side: {@code GET} and {@code HEAD /firmware/NAME} (and {@code /healthz}) and nothing else,
 * on a port of its own, off unless asked for.
 *
 * @param enabled        whether it runs
 * @param address        address it binds: the phones' network
 * @param port           TCP port, 0-65535 (0 picks a free one, for tests)
 * @param maxConnections connections it holds at once; more are closed as they come
 */
public record FirmwareHttpSettings(boolean enabled, InetAddress address, int port, int maxConnections) {
}

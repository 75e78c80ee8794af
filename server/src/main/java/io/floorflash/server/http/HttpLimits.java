package io.floorflash.server.http;

import io.floorflash.config.HttpSettings;
import java.time.Duration;

/**
 * The bounds of one HTTP side's connections.
 *
 * @param maxRequestBytes largest request body read before the answer is 413
 * @param idleTimeout     a connection with no traffic either way for this long is closed
 * @param headerTimeout   a request must arrive whole within this long of its first byte (or of the connection's start)
 * @param maxConnections  connections open at once; more are closed on arrival
 */
record HttpLimits(int maxRequestBytes, Duration idleTimeout, Duration headerTimeout, int maxConnections) {
    static HttpLimits operator(HttpSettings settings) {
        return new HttpLimits(settings.maxRequestBytes(), settings.idleTimeout(), settings.headerTimeout(),
                settings.maxConnections());
    }

    static HttpLimits firmware(HttpSettings settings) {
        return new HttpLimits(settings.maxRequestBytes(), settings.idleTimeout(), settings.headerTimeout(),
                settings.firmware().maxConnections());
    }
}

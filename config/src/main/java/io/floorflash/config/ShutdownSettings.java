package io.floorflash.config;

import java.time.Duration;

/**
 * How the server stops (SIGTERM): new requests are refused at once, running transfers get {@code drainTime} to
 * finish, and the rest are ended with an ERROR to their client.
 */
public record ShutdownSettings(Duration drainTime) {
}

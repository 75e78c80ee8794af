package io.floorflash.server.firmware.origin;

import io.floorflash.config.S3OriginSettings;

/** Builds the S3 {@link Origin} that {@code firmware.origin.url} names; {@link PullThrough} builds an HTTP one itself. */
public final class Origins {
    private Origins() {
    }

    /**
     * The origin at {@code url}: {@code s3://bucket/prefix} is an {@link S3Origin} reached as {@code s3} says.
     *
     * @throws IllegalArgumentException when {@code url} is no origin this build knows, "'url' (expected: ...)"
     * @throws IllegalStateException    when the origin's credentials cannot be read
     */
    public static Origin of(String url, S3OriginSettings s3) {
        String raw = url == null ? "" : url.strip();
        if (raw.startsWith("s3://")) {
            return S3Origin.create(S3Location.parse(raw), s3);
        }
        throw new IllegalArgumentException("'" + raw + "' (expected: s3://bucket/prefix)");
    }
}

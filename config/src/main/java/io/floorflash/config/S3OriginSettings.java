package io.floorflash.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a node reaches an S3 origin ({@code firmware.origin = "s3://bucket/prefix"}): AWS itself, or an S3-compatible
 * server (MinIO, Ceph RGW, s3proxy) at {@code endpoint}. Unused when the origin is not {@code s3://}.
 *
 * @param region          the signing region ({@code eu-central-1}); empty takes the SDK's chain ({@code AWS_REGION},
 *                        {@code ~/.aws/config}), and {@code us-east-1} when that finds none
 * @param endpoint        the server to talk to instead of AWS's regional endpoint, http or https with a host and no
 *                        user:password@; empty for AWS
 * @param pathStyleAccess whether buckets are addressed as {@code host/bucket/key} rather than {@code bucket.host/key}
 *                        (MinIO, Ceph RGW and s3proxy without wildcard DNS need it)
 * @param credentialsFile a file in the AWS credentials format whose {@code [default]} profile holds the access key
 *                        and secret; empty takes the SDK's default chain (environment, system properties, web identity,
 *                        {@code ~/.aws/credentials}, container and instance roles)
 * @param connectTimeout  how long opening a connection may take
 * @param readTimeout     how long the server may stay silent while answering or sending a body
 * @param maxAttempts     attempts per request, the first included, on a connection failure, a 5xx or throttling
 */
public record S3OriginSettings(Optional<String> region, Optional<URI> endpoint, boolean pathStyleAccess,
                               Optional<Path> credentialsFile, Duration connectTimeout, Duration readTimeout,
                               int maxAttempts) {
    /** The keys of {@code floorflash.firmware.origin-s3}. */
    static final Set<String> KEYS = Set.of("region", "endpoint", "path-style-access", "credentials-file",
            "connect-timeout", "read-timeout", "max-attempts");
    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final String EXPECTED_REGION = "(expected: a region name such as eu-central-1, or \"\" for the"
            + " SDK's region chain)";
    private static final String EXPECTED_ENDPOINT = "(expected: an http:// or https:// URL with a host and no"
            + " user:password@, such as http://minio.example.com:9000, or \"\" for AWS)";

    public S3OriginSettings {
        if (region == null || endpoint == null || credentialsFile == null) {
            throw new IllegalArgumentException("region, endpoint and credentials-file: null (expected: a value or empty)");
        }
        region.ifPresent(r -> {
            if (!REGION.matcher(r).matches()) {
                throw new IllegalArgumentException("region: '" + r + "' " + EXPECTED_REGION);
            }
        });
        endpoint.ifPresent(e -> {
            if (!isAcceptable(e)) {
                throw new IllegalArgumentException("endpoint: '" + e + "' " + EXPECTED_ENDPOINT);
            }
        });
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect-timeout: " + connectTimeout + " (expected: more than zero)");
        }
        if (readTimeout == null || readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("read-timeout: " + readTimeout + " (expected: more than zero)");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max-attempts: " + maxAttempts + " (expected: at least 1)");
        }
    }

    /** {@code raw} as an endpoint, empty for "". */
    public static Optional<URI> parseEndpoint(String raw) {
        String trimmed = raw.strip();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + trimmed + "' " + EXPECTED_ENDPOINT);
        }
        if (!isAcceptable(uri)) {
            throw new IllegalArgumentException("'" + trimmed + "' " + EXPECTED_ENDPOINT);
        }
        return Optional.of(uri);
    }

    /** {@code raw} as a region, empty for "". */
    static Optional<String> parseRegion(String raw) {
        String trimmed = raw.strip();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        if (!REGION.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("'" + trimmed + "' " + EXPECTED_REGION);
        }
        return Optional.of(trimmed);
    }

    /** A user:password@ would put a secret in every log line that names the endpoint: keys go in credentials-file. */
    private static boolean isAcceptable(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && !uri.getHost().isEmpty()
                && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null;
    }

    /** Reads {@code floorflash.firmware.origin-s3}. */
    static S3OriginSettings read(ConfigReader in) {
        in.onlyKeys(KEYS);
        Optional<String> region = in.read("region", k -> parseRegion(in.config().getString(k)), Optional.empty());
        Optional<URI> endpoint = in.read("endpoint", k -> parseEndpoint(in.config().getString(k)), Optional.empty());
        boolean pathStyle = in.bool("path-style-access");
        Optional<Path> credentialsFile = in.optionalPath("credentials-file");
        Duration connectTimeout = in.durationIn("connect-timeout", Duration.ofMillis(10), Duration.ofMinutes(10));
        Duration readTimeout = in.durationIn("read-timeout", Duration.ofMillis(10), Duration.ofMinutes(10));
        int maxAttempts = in.intIn("max-attempts", 1, 20);
        return in.build(() -> new S3OriginSettings(region, endpoint, pathStyle, credentialsFile, connectTimeout,
                readTimeout, maxAttempts));
    }
}

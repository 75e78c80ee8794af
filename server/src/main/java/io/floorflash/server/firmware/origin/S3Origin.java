package io.floorflash.server.firmware.origin;

import io.floorflash.config.S3OriginSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * An S3 bucket (AWS, or MinIO, Ceph RGW, s3proxy at an endpoint) as the firmware origin, through the AWS SDK for Java
 * v2's synchronous client over the JDK's {@code HttpURLConnection}. {@link #head} is a HeadObject, {@link #fetch} a
 * GetObject with {@code If-None-Match}, both asking for the object's checksums ({@code x-amz-checksum-mode: ENABLED}):
 * a SHA-256 stored with the object comes back as {@link Metadata#sha256()}, and the SDK checks the body against it as
 * it streams. The ETag is S3's, quotes included, to be handed back as is.
 *
 * <p>A HEAD has no body to say why it got a 404, so a missing bucket looks like a missing object there; a GET tells
 * them apart ({@link Missing} for NoSuchKey, an {@link OriginException} "no such bucket" otherwise).
 */
public final class S3Origin implements Origin {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final S3Location location;
    private final S3Client s3;
    private final AwsCredentialsProvider credentials;
    /** Where requests go, for messages: the endpoint, or AWS and the region. */
    private final String server;
    private final int maxAttempts;

    S3Origin(S3Location location, S3Client s3, AwsCredentialsProvider credentials, String server, int maxAttempts) {
        this.location = Objects.requireNonNull(location, "location");
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.server = Objects.requireNonNull(server, "server");
        this.maxAttempts = maxAttempts;
    }

    /**
     * An origin for {@code location} as {@code settings} say to reach it. Makes no request: an origin that is down at
     * start is found out by the first fetch, so a node can start offline and serve from its cache.
     *
     * @throws IllegalStateException when the credentials file is missing, open to other users or lacks the keys
     */
    public static S3Origin create(S3Location location, S3OriginSettings settings) {
        Region region = settings.region().map(Region::of).orElseGet(S3Origin::regionFromEnvironment);
        AwsCredentialsProvider credentials = S3Credentials.provider(settings.credentialsFile());
        S3ClientBuilder builder = S3Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(settings.connectTimeout())
                        .socketTimeout(settings.readTimeout()))
                .forcePathStyle(settings.pathStyleAccess())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(settings.maxAttempts())
                        .build()));
        settings.endpoint().ifPresentOrElse(builder::endpointOverride,
                // On AWS a bucket in another region than the one configured is still found (one redirect, cached).
                () -> builder.crossRegionAccessEnabled(true));
        String server = settings.endpoint().map(URI::toString).orElse("AWS S3 (" + region.id() + ")");
        return new S3Origin(location, builder.build(), credentials, server, settings.maxAttempts());
    }

    /**
     * The region from {@code AWS_REGION} or {@code ~/.aws/config}, else {@code us-east-1}. Unlike the SDK's default
     * chain it never asks EC2's instance metadata, which off EC2 costs a timeout at every start.
     */
    private static Region regionFromEnvironment() {
        try {
            return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
                    .getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1;
        }
    }

    @Override
    public Optional<Metadata> head(String name) throws OriginException {
        String key = location.key(name);
        HeadObjectResponse response;
        try {
            response = s3.headObject(b -> b.bucket(location.bucket()).key(key).checksumMode(ChecksumMode.ENABLED));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw S3Failures.of("HEAD", object(name), server, maxAttempts, e);
        } catch (SdkException e) {
            throw S3Failures.of("HEAD", object(name), server, maxAttempts, e);
        }
        return Optional.of(metadata(name, response.contentLength(), response.eTag(), response.checksumSHA256(),
                response.checksumType()));
    }

    @Override
    public Fetched fetch(String name, Optional<String> ifNoneMatch, Path target) throws OriginException {
        Objects.requireNonNull(ifNoneMatch, "ifNoneMatch");
        Objects.requireNonNull(target, "target");
        GetObjectRequest.Builder request = GetObjectRequest.builder()
                .bucket(location.bucket())
                .key(location.key(name))
                .checksumMode(ChecksumMode.ENABLED);
        ifNoneMatch.ifPresent(request::ifNoneMatch);
        ResponseInputStream<GetObjectResponse> body;
        try {
            body = s3.getObject(request.build());
        } catch (S3Exception e) {
            if (e.statusCode() == 304 && ifNoneMatch.isPresent()) {
                return notModified(name, ifNoneMatch.get(), target);
            }
            if (e instanceof NoSuchKeyException || e.statusCode() == 404 && e.awsErrorDetails() != null
                    && "NoSuchKey".equals(e.awsErrorDetails().errorCode())) {
                return new Missing();
            }
            throw S3Failures.of("GET", object(name), server, maxAttempts, e);
        } catch (SdkException e) {
            throw S3Failures.of("GET", object(name), server, maxAttempts, e);
        }
        boolean complete = false;
        try {
            GetObjectResponse response = body.response();
            Metadata metadata = metadata(name, response.contentLength(), response.eTag(), response.checksumSHA256(),
                    response.checksumType());
            long written = copy(name, body, target, metadata.length());
            if (written != metadata.length()) {
                throw new OriginException(object(name) + ": GET broke off after " + written + " of "
                        + metadata.length() + " bytes: the body ended early");
            }
            complete = true;
            return new Body(metadata);
        } finally {
            if (!complete) {
                // Closing would drain the rest of a body we no longer want; aborting drops the connection.
                body.abort();
            }
            closeQuietly(body);
        }
    }

    /** The 304's own headers lack the length and checksum: a HEAD supplies them, and shows a change since the 304. */
    private Fetched notModified(String name, String etag, Path target) throws OriginException {
        Optional<Metadata> now = head(name);
        if (now.isEmpty()) {
            return new Missing();
        }
        if (now.get().etag().equals(Optional.of(etag))) {
            return new NotModified(now.get());
        }
        return fetch(name, Optional.empty(), target); // changed between the two requests: unconditionally, once
    }

    /**
     * Streams {@code body} into {@code target}, at most one byte beyond {@code length}; returns the bytes written.
     * A read that fails (the network, or the SDK finding the body unlike its checksum) is the origin's failure; a write
     * that fails is the disk's, and says so.
     */
    private long copy(String name, ResponseInputStream<GetObjectResponse> body, Path target, long length)
            throws OriginException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            while (total <= length) {
                int read;
                try {
                    read = body.read(buffer);
                } catch (IOException | SdkException e) {
                    throw new OriginException(object(name) + ": GET broke off after " + total + " of " + length
                            + " bytes: " + S3Failures.reason(server, maxAttempts, asSdk(e)), e);
                }
                if (read < 0) {
                    return total;
                }
                out.write(buffer, 0, read);
                total += read;
            }
            throw new OriginException(object(name) + ": GET sent more than the " + length + " bytes it stated");
        } catch (IOException e) {
            throw new OriginException(object(name) + ": cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static SdkException asSdk(Exception e) {
        return e instanceof SdkException sdk ? sdk : SdkClientException.create(String.valueOf(e.getMessage()), e);
    }

    private Metadata metadata(String name, Long length, String etag, String sha256, ChecksumType type)
            throws OriginException {
        if (length == null || length < 0) {
            throw new OriginException(object(name) + ": S3 sent no Content-Length");
        }
        return new Metadata(length, Optional.ofNullable(etag).filter(e -> !e.isBlank()), sha256Hex(sha256, type));
    }

    /**
     * The SHA-256 of the whole object, lower-case hex, from {@code x-amz-checksum-sha256} (base64). A composite checksum
     * (a multipart upload's checksum of its parts' checksums, {@code ...-3} or type COMPOSITE) is not the object's
     * SHA-256 and is left out, as is anything not 32 bytes of base64.
     */
    static Optional<String> sha256Hex(String base64, ChecksumType type) {
        if (base64 == null || base64.isBlank() || type == ChecksumType.COMPOSITE || base64.indexOf('-') >= 0) {
            return Optional.empty();
        }
        byte[] digest;
        try {
            digest = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return digest.length == 32 ? Optional.of(HexFormat.of().formatHex(digest)) : Optional.empty();
    }

    private String object(String name) {
        return location + name;
    }

    private static void closeQuietly(ResponseInputStream<?> body) {
        try {
            body.close();
        } catch (IOException | RuntimeException e) {
            // Closing an aborted or finished body frees its connection; nothing is left to report.
        }
    }

    @Override
    public String describe() {
        return location.toString();
    }

    @Override
    public void close() {
        s3.close();
        if (credentials instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
    }
}

package io.floorflash.server.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * s3proxy (Maven Central's {@code org.gaul:s3proxy} jar with its dependencies, path in the {@code s3proxy.jar} system
 * property Failsafe sets) as a separate Java process on {@code 127.0.0.1} and a port the kernel picks, holding its
 * objects in memory ({@code transient-nio2}) and accepting only {@link #ACCESS_KEY} and {@link #SECRET_KEY}, signed
 * with AWS Signature V2 or V4. {@link #put} uploads through the AWS SDK, as an operator's {@code aws s3 cp} would.
 * Its log goes to a file ({@link #log()}), so a chatty server can never block on a full pipe.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "floorflash-it";
    static final String SECRET_KEY = "it-secret-0123456789abcdef";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Jetty's line once it listens: "Started ...ServerConnector@1a2b{HTTP/1.1, (http/1.1)}{127.0.0.1:41234}". */
    private static final Pattern LISTENING = Pattern.compile("Started \\S*ServerConnector@\\S+\\{[^}]*\\}\\{127\\.0\\.0\\.1:(\\d+)\\}");

    private final Process process;
    private final Path log;
    private final URI endpoint;
    private final S3Client client;

    private S3ProxyServer(Process process, Path log, URI endpoint) {
        this.process = process;
        this.log = log;
        this.endpoint = endpoint;
        this.client = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    /** Starts s3proxy in {@code dir} (its properties and log live there) and waits until it listens. */
    static S3ProxyServer start(Path dir) {
        String jar = System.getProperty("s3proxy.jar", "");
        if (jar.isEmpty() || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("s3proxy.jar: '" + jar + "' (expected: the path of org.gaul:s3proxy's"
                    + " jar-with-dependencies, which Failsafe sets; run the IT through mvn verify)");
        }
        try {
            Path properties = Files.writeString(dir.resolve("s3proxy.properties"), String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:0",
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=transient-nio2",
                    "") + "\n");
            Path log = dir.resolve("s3proxy.log");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            // A small heap and the C1 compiler only: it serves a handful of requests, and shares two cores.
            Process process = new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-jar", jar, "--properties", properties.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            try {
                int port = await("s3proxy listening (log: " + log + ")").atMost(START_TIMEOUT)
                        .pollInterval(Duration.ofMillis(100))
                        .failFast("s3proxy exited", () -> !process.isAlive())
                        .until(() -> listeningPort(log), p -> p > 0);
                return new S3ProxyServer(process, log, URI.create("http://127.0.0.1:" + port));
            } catch (RuntimeException | Error e) {
                destroy(process);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy", e);
        }
    }

    private static int listeningPort(Path log) {
        Matcher m = LISTENING.matcher(ExternalProcess.read(log));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** {@code http://127.0.0.1:PORT}, path-style. */
    URI endpoint() {
        return endpoint;
    }

    Path log() {
        return log;
    }

    void createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
    }

    /** Uploads {@code file} as {@code bucket/key} with an SDK-chosen checksum (CRC32); returns S3's answer. */
    PutObjectResponse put(String bucket, String key, Path file) {
        return client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
    }

    /**
     * Uploads {@code file} stating its SHA-256 in {@code x-amz-checksum-sha256}, as {@code aws s3api put-object
     * --checksum-sha256} does; S3 checks it, keeps it and returns it with the object. (s3proxy 4.1 keeps a stated
     * digest, not one the SDK computes into a trailer with {@code checksumAlgorithm(SHA256)}.)
     */
    PutObjectResponse putWithSha256(String bucket, String key, Path file) {
        String sha256 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(SeededFiles.sha256(file)));
        return client.putObject(b -> b.bucket(bucket).key(key).checksumSHA256(sha256), RequestBody.fromFile(file));
    }

    void delete(String bucket, String key) {
        client.deleteObject(b -> b.bucket(bucket).key(key));
    }

    /** Stops the process (ours, by its handle) and waits for it to be gone. */
    @Override
    public void close() {
        client.close();
        destroy(process);
    }

    private static void destroy(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

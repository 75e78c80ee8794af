package io.floorflash.server.firmware.origin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns what the AWS SDK throws into an {@link OriginException} whose message an operator can act on: "access denied",
 * "unreachable", "timed out", "no such bucket", a 5xx after the retries. Messages are built from status codes, S3's
 * error codes and the names of the failing I/O exceptions, never from request headers, so no key or signature can
 * appear in them; the SDK's exception stays attached as the cause.
 */
final class S3Failures {
    private S3Failures() {
    }

    /**
     * The failure of {@code action} ("HEAD", "GET") on {@code object} ({@code s3://bucket/prefix/name}).
     *
     * @param server     where the requests went, for "unreachable" ({@code http://127.0.0.1:9000}, or AWS and region)
     * @param attempts   attempts the SDK made at most, for a 5xx or throttling that outlasted them
     */
    static OriginException of(String action, String object, String server, int attempts, SdkException e) {
        if (e instanceof AbortedException) {
            // The SDK reports an interrupt as this exception: keep the flag for whoever cancelled the fetch.
            Thread.currentThread().interrupt();
        }
        return new OriginException(object + ": " + action + " " + reason(server, attempts, e), e);
    }

    static String reason(String server, int attempts, SdkException e) {
        if (e instanceof AwsServiceException service) {
            return serviceReason(service, attempts);
        }
        if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
            return "interrupted";
        }
        IOException io = ioCause(e);
        if (io instanceof SocketTimeoutException) {
            String what = String.valueOf(io.getMessage()).toLowerCase(Locale.ROOT).contains("connect") ? "connecting to "
                    : "waiting for ";
            return "timed out " + what + server + " (firmware.origin-s3.connect-timeout, read-timeout)";
        }
        if (io instanceof ConnectException || io instanceof NoRouteToHostException) {
            return "failed: " + server + " unreachable (" + io.getClass().getSimpleName() + ": " + io.getMessage() + ")";
        }
        if (io instanceof UnknownHostException) {
            return "failed: " + server + " unreachable (unknown host " + io.getMessage() + ")";
        }
        if (io != null) {
            return "failed: " + server + " broke off (" + io.getClass().getSimpleName() + ": " + io.getMessage() + ")";
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof SdkClientException && message.startsWith("Unable to load credentials")) {
            return "failed: no credentials found (set firmware.origin-s3.credentials-file, or AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY, or give the host a role)";
        }
        if (message.contains("checksum")) {
            return "failed: the body does not match the checksum S3 states for it (" + firstLine(message) + ")";
        }
        return "failed: " + firstLine(message);
    }

    private static String serviceReason(AwsServiceException e, int attempts) {
        int status = e.statusCode();
        String code = Optional.ofNullable(e.awsErrorDetails()).map(d -> d.errorCode()).filter(c -> !c.isBlank())
                .orElse("");
        String answered = status + (code.isEmpty() ? "" : " " + code);
        if (status == 403 || code.equals("AccessDenied") || code.equals("InvalidAccessKeyId")
                || code.equals("SignatureDoesNotMatch")) {
            String hint = switch (code) {
                case "InvalidAccessKeyId" -> "the access key is unknown to the server";
                case "SignatureDoesNotMatch" -> "the secret key does not match the access key";
                default -> "the keys may not read this object";
            };
            return "refused: access denied (" + answered + ": " + hint + "; check firmware.origin-s3.credentials-file"
                    + " or the SDK's credential chain, and the bucket's policy)";
        }
        if (code.equals("NoSuchBucket")) {
            return "refused: no such bucket (" + answered + "; check firmware.origin and firmware.origin-s3.endpoint)";
        }
        if (status == 301 || code.equals("PermanentRedirect") || code.equals("AuthorizationHeaderMalformed")) {
            String region = e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null ? ""
                    : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region")
                            .map(r -> ", it is in " + r).orElse("");
            return "refused: the bucket is in another region (" + answered + region
                    + "; set firmware.origin-s3.region)";
        }
        if (status >= 500 || status == 429 || code.equals("SlowDown") || code.equals("Throttling")) {
            return "failed: S3 answered " + answered + " after at most " + attempts + " attempts";
        }
        return "refused: S3 answered " + answered;
    }

    /** The first I/O exception among {@code e} and its causes (at most ten deep): what the network did. */
    private static IOException ioCause(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}

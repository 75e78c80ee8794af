package io.floorflash.server.firmware.origin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3FailuresTest {
    private static final String OBJECT = "s3://firmware/releases/snom320.bin";
    private static final String SERVER = "http://127.0.0.1:9000";

    @Test
    void namesRefusedKeysAccessDeniedWithoutQuotingThem() {
        OriginException failure = S3Failures.of("GET", OBJECT, SERVER, 3, service(403, "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records. AKIAIOSFODNN7EXAMPLE"));

        assertThat(failure).hasMessage(OBJECT + ": GET refused: access denied (403 InvalidAccessKeyId: the access key"
                + " is unknown to the server; check firmware.origin-s3.credentials-file or the SDK's credential chain,"
                + " and the bucket's policy)");
        assertThat(failure.getMessage()).doesNotContain("AKIA");
    }

    @Test
    void namesAWrongSecretAndAMissingPermission() {
        assertThat(S3Failures.reason(SERVER, 3, service(403, "SignatureDoesNotMatch", "")))
                .contains("access denied (403 SignatureDoesNotMatch: the secret key does not match the access key;");
        assertThat(S3Failures.reason(SERVER, 3, service(403, "AccessDenied", "")))
                .contains("access denied (403 AccessDenied: the keys may not read this object;");
    }

    @Test
    void tellsAMissingBucketAndAnotherRegion() {
        assertThat(S3Failures.reason(SERVER, 3, service(404, "NoSuchBucket", "")))
                .isEqualTo("refused: no such bucket (404 NoSuchBucket; check firmware.origin and"
                        + " firmware.origin-s3.endpoint)");
        S3Exception redirect = (S3Exception) S3Exception.builder().statusCode(301)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("PermanentRedirect")
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(301)
                                .putHeader("x-amz-bucket-region", "eu-west-1").build())
                        .build())
                .build();
        assertThat(S3Failures.reason(SERVER, 3, redirect)).isEqualTo("refused: the bucket is in another region"
                + " (301 PermanentRedirect, it is in eu-west-1; set firmware.origin-s3.region)");
    }

    @Test
    void countsTheAttemptsAThrottlingOr5xxOutlasted() {
        assertThat(S3Failures.reason(SERVER, 3, service(503, "SlowDown", "")))
                .isEqualTo("failed: S3 answered 503 SlowDown after at most 3 attempts");
        assertThat(S3Failures.reason(SERVER, 5, service(500, "", "")))
                .isEqualTo("failed: S3 answered 500 after at most 5 attempts");
    }

    @Test
    void tellsUnreachableFromTimedOut() {
        SdkClientException refused = SdkClientException.create("Unable to execute HTTP request: Connection refused",
                new ConnectException("Connection refused"));
        SdkClientException silent = SdkClientException.create("Unable to execute HTTP request: Read timed out",
                new SocketTimeoutException("Read timed out"));

        assertThat(S3Failures.reason(SERVER, 3, refused))
                .isEqualTo("failed: " + SERVER + " unreachable (ConnectException: Connection refused)");
        assertThat(S3Failures.reason(SERVER, 3, silent)).isEqualTo("timed out waiting for " + SERVER
                + " (firmware.origin-s3.connect-timeout, read-timeout)");
    }

    @Test
    void saysWhereCredentialsComeFromWhenThereAreNone() {
        SdkClientException none = SdkClientException.create("Unable to load credentials from any of the providers in"
                + " the chain AwsCredentialsProviderChain(...)");

        assertThat(S3Failures.reason(SERVER, 3, none)).startsWith("failed: no credentials found (set"
                + " firmware.origin-s3.credentials-file");
    }

    @Test
    void keepsTheInterruptOfAnAbortedRequest() {
        OriginException failure = S3Failures.of("GET", OBJECT, SERVER, 3, AbortedException.create("Thread interrupted"));

        assertThat(Thread.interrupted()).isTrue(); // also clears it for the next test
        assertThat(failure).hasMessage(OBJECT + ": GET interrupted");
    }

    private static S3Exception service(int status, String code, String message) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
                .build();
    }
}

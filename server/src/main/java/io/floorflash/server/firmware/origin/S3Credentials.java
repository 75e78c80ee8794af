package io.floorflash.server.firmware.origin;

import io.floorflash.server.secrets.PrivateFile;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * The keys an S3 origin signs with: the {@code [default]} profile of {@code firmware.origin-s3.credentials-file}, read
 * once at start, or else the SDK's default chain. Messages name the file and the missing property, never a key.
 */
final class S3Credentials {
    private static final String KEY = "floorflash.firmware.origin-s3.credentials-file";
    private static final String PROFILE = "default";
    private static final long MAX_FILE_BYTES = 64 * 1024;
    private static final String EXPECTED = "expected: a [default] profile with aws_access_key_id and"
            + " aws_secret_access_key, as ~/.aws/credentials holds them";

    private S3Credentials() {
    }

    /**
     * The provider for {@code file}, or the SDK's default chain when it is empty; the caller closes it.
     *
     * @throws IllegalStateException when the file is missing, unreadable, open to other users or lacks the keys
     */
    static AwsCredentialsProvider provider(Optional<Path> file) {
        if (file.isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(read(file.get()));
    }

    /** Reads the {@code [default]} profile's keys from {@code file}, a private file in the AWS credentials format. */
    static AwsCredentials read(Path file) {
        String where = KEY + ": " + file + ": ";
        byte[] content = PrivateFile.read(file, where, MAX_FILE_BYTES, EXPECTED, EXPECTED);
        Optional<Profile> found;
        try {
            found = ProfileFile.builder()
                    .content(new ByteArrayInputStream(content))
                    .type(ProfileFile.Type.CREDENTIALS)
                    .build()
                    .profile(PROFILE);
        } catch (RuntimeException e) {
            // Not chained: the SDK's parser quotes the offending line, which may hold the secret.
            throw new IllegalStateException(where + "not in the AWS credentials format (" + EXPECTED + ")");
        }
        Profile profile = found.orElseThrow(
                () -> new IllegalStateException(where + "no [" + PROFILE + "] profile (" + EXPECTED + ")"));
        String accessKey = property(profile, "aws_access_key_id", where);
        String secretKey = property(profile, "aws_secret_access_key", where);
        Optional<String> sessionToken = profile.property("aws_session_token").map(String::strip).filter(s -> !s.isEmpty());
        return sessionToken.<AwsCredentials>map(token -> AwsSessionCredentials.create(accessKey, secretKey, token))
                .orElseGet(() -> AwsBasicCredentials.create(accessKey, secretKey));
    }

    private static String property(Profile profile, String name, String where) {
        return profile.property(name).map(String::strip).filter(s -> !s.isEmpty()).orElseThrow(
                () -> new IllegalStateException(where + "[" + PROFILE + "] has no " + name + " (" + EXPECTED + ")"));
    }

}

package io.floorflash.server.firmware.origin;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
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
        byte[] content = readPrivate(file, where);
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

    /** The file's bytes, read here rather than by the SDK so that each failure names the key and the remedy. */
    private static byte[] readPrivate(Path file, String where) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(where + (Files.exists(file) ? "not a regular file" : "no such file")
                        + " (" + EXPECTED + ")");
            }
            checkPrivate(file, where);
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalStateException(where + "larger than " + MAX_FILE_BYTES + " bytes (" + EXPECTED + ")");
            }
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new IllegalStateException(where + "this user may not read it (give the service's user read access,"
                    + " or hand it over with systemd's LoadCredential=)", e);
        } catch (IOException e) {
            throw new IllegalStateException(where + "cannot be read: " + e.getMessage(), e);
        }
    }

    /** Refuses a file other users may read or write, as the operator token's file. */
    private static void checkPrivate(Path file, String where) throws IOException {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: its access control is not modes
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IllegalStateException(where + "other users may read or write it ("
                    + PosixFilePermissions.toString(permissions) + "); make it private: chmod 600 " + file);
        }
    }
}

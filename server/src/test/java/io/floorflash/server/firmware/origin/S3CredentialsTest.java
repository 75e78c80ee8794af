package io.floorflash.server.firmware.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class S3CredentialsTest {
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @TempDir
    Path dir;

    @Test
    void readsTheDefaultProfilesKeys() throws IOException {
        Path file = privateFile("""
                [other]
                aws_access_key_id = AKIAOTHER
                aws_secret_access_key = other
                [default]
                aws_access_key_id = AKIAIOSFODNN7EXAMPLE
                aws_secret_access_key = %s
                """.formatted(SECRET));

        AwsCredentials credentials = S3Credentials.read(file);

        assertThat(credentials.accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
        assertThat(credentials.secretAccessKey()).isEqualTo(SECRET);
    }

    @Test
    void readsASessionTokenForTemporaryKeys() throws IOException {
        Path file = privateFile("[default]\naws_access_key_id=ASIA1\naws_secret_access_key=s\naws_session_token=t\n");

        assertThat(S3Credentials.read(file)).isInstanceOfSatisfying(AwsSessionCredentials.class,
                session -> assertThat(session.sessionToken()).isEqualTo("t"));
    }

    @Test
    void refusesAFileOtherUsersMayRead() throws IOException {
        Path file = privateFile("[default]\naws_access_key_id=AKIA1\naws_secret_access_key=" + SECRET + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatIllegalStateException().isThrownBy(() -> S3Credentials.read(file))
                .withMessage("floorflash.firmware.origin-s3.credentials-file: " + file + ": other users may read or"
                        + " write it (rw-r--r--); make it private: chmod 600 " + file);
    }

    @Test
    void namesWhatIsMissingButNeverTheSecret() throws IOException {
        Path noSecret = privateFile("[default]\naws_access_key_id = AKIA1\n");
        Path noDefault = privateFile("[prod]\naws_access_key_id = AKIA1\naws_secret_access_key = " + SECRET + "\n");
        Path garbage = privateFile("aws_secret_access_key = " + SECRET + "\n[default\n");

        assertThatIllegalStateException().isThrownBy(() -> S3Credentials.read(noSecret))
                .withMessageContaining(": [default] has no aws_secret_access_key (expected:");
        assertThatIllegalStateException().isThrownBy(() -> S3Credentials.read(noDefault))
                .withMessageContaining(": no [default] profile (expected:");
        assertThatIllegalStateException().isThrownBy(() -> S3Credentials.read(garbage))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET))
                .satisfies(e -> assertThat(e.getCause()).isNull());
        assertThatIllegalStateException().isThrownBy(() -> S3Credentials.read(dir.resolve("absent")))
                .withMessageContaining("absent: no such file (expected:");
    }

    private Path privateFile(String content) throws IOException {
        Path file = Files.createTempFile(dir, "credentials", "");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return Files.writeString(file, content);
    }
}

package io.floorflash.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3OriginSettingsTest {
    private static final String EXPECTED_ENDPOINT = "(expected: an http:// or https:// URL with a host and no"
            + " user:password@, such as http://minio.example.com:9000, or \"\" for AWS)";

    @Test
    void talksToAwsThroughTheSdkChainsByDefault() {
        S3OriginSettings s3 = SettingsLoader.load(null, Map.of()).s3Origin();

        assertThat(s3).isEqualTo(new S3OriginSettings(Optional.empty(), Optional.empty(), false, Optional.empty(),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 3));
    }

    @Test
    void readsEveryKey() {
        S3OriginSettings s3 = SettingsLoader.load(null, Map.of(
                "floorflash.firmware.origin-s3.region", "eu-central-1",
                "floorflash.firmware.origin-s3.endpoint", "http://minio.example.com:9000",
                "floorflash.firmware.origin-s3.path-style-access", true,
                "floorflash.firmware.origin-s3.credentials-file", "/etc/floorflash/s3-credentials",
                "floorflash.firmware.origin-s3.connect-timeout", "2 s",
                "floorflash.firmware.origin-s3.read-timeout", "1 minute",
                "floorflash.firmware.origin-s3.max-attempts", 5)).s3Origin();

        assertThat(s3).isEqualTo(new S3OriginSettings(Optional.of("eu-central-1"),
                Optional.of(URI.create("http://minio.example.com:9000")), true,
                Optional.of(Path.of("/etc/floorflash/s3-credentials")), Duration.ofSeconds(2), Duration.ofMinutes(1), 5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://minio.example.com/", "http://", "minio.example.com:9000",
            "https://AKIA0000:secret@minio.example.com/", "http://minio.example.com/?x=1"})
    void refusesAnEndpointThatIsNotHttpWithAHost(String endpoint) {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.firmware.origin-s3.endpoint", endpoint)));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactly(
                "floorflash.firmware.origin-s3.endpoint: '" + endpoint + "' " + EXPECTED_ENDPOINT);
    }

    @Test
    void reportsEveryProblemOfTheSectionAtOnce() {
        SettingsException failure = catchThrowableOfType(SettingsException.class, () -> SettingsLoader.load(null, Map.of(
                "floorflash.firmware.origin-s3.region", "EU Central",
                "floorflash.firmware.origin-s3.max-attempts", 0,
                "floorflash.firmware.origin-s3.connect-timeout", "0 s",
                "floorflash.firmware.origin-s3.pathstyle-access", true)));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.firmware.origin-s3.pathstyle-access: unknown key (did you mean 'path-style-access'?)",
                "floorflash.firmware.origin-s3.region: 'EU Central' (expected: a region name such as eu-central-1,"
                        + " or \"\" for the SDK's region chain)",
                "floorflash.firmware.origin-s3.max-attempts: 0 (expected: 1-20)",
                "floorflash.firmware.origin-s3.connect-timeout: PT0S (expected: PT0.01S to PT10M)");
    }
}

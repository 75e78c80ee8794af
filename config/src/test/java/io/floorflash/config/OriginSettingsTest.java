package io.floorflash.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginSettingsTest {
    @Test
    void isOffByDefaultWithTheDocumentedLimits() {
        OriginSettings origin = SettingsLoader.load(null, Map.of()).origin();

        assertThat(origin.enabled()).isFalse();
        assertThat(origin.cacheDir()).isEqualTo(Path.of("firmware-cache").toAbsolutePath());
        assertThat(origin.cacheDirMaxBytes()).isEqualTo(10L << 30);
        assertThat(origin.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(origin.fetchTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(origin.stallTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(origin.revalidateAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(origin.fetchThreads()).isEqualTo(4);
        assertThat(origin.prefetch()).isEmpty();
    }

    @Test
    void readsEveryKeyAndEndsTheUrlWithASlash() {
        OriginSettings origin = SettingsLoader.load(null, Map.of(
                "floorflash.firmware.cache-dir", "/var/cache/floorflash",
                "floorflash.firmware.cache-dir-max-bytes", "2 GiB",
                "floorflash.firmware.origin.url", "https://repo.example.com/firmware",
                "floorflash.firmware.origin.fetch-timeout", "3 s",
                "floorflash.firmware.origin.revalidate-after", "0 s",
                "floorflash.firmware.origin.prefetch", List.of("snom320.bin"))).origin();

        assertThat(origin.url()).contains(URI.create("https://repo.example.com/firmware/"));
        assertThat(origin.cacheDir()).isEqualTo(Path.of("/var/cache/floorflash"));
        assertThat(origin.cacheDirMaxBytes()).isEqualTo(2L << 30);
        assertThat(origin.fetchTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(origin.revalidateAfter()).isZero();
        assertThat(origin.prefetch()).containsExactly("snom320.bin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/x", "http://", "example.com/fw", "https://user:secret@example.com/",
            "https://example.com/fw?x=1"})
    void refusesAUrlThatIsNotHttpWithAHost(String url) {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.firmware.origin.url", url)));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).hasSize(1);
        assertThat(failure.problems().get(0)).startsWith("floorflash.firmware.origin.url: '" + url + "'");
    }

    @Test
    void namesAnUnknownKey() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.firmware.origin.revalidate", "1 s")));

        assertThat(failure.problems()).singleElement().asString()
                .startsWith("floorflash.firmware.origin.revalidate: unknown key");
    }

    @Test
    void refusesACacheFolderInsideTheRoot() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of(
                        "floorflash.firmware.root", "/srv/tftp",
                        "floorflash.firmware.cache-dir", "/srv/tftp/cache",
                        "floorflash.firmware.origin.url", "http://repo.example.com/firmware/")));

        assertThat(failure.problems()).singleElement().asString()
                .startsWith("floorflash.firmware.cache-dir: /srv/tftp/cache (expected: outside the firmware root");
    }
}

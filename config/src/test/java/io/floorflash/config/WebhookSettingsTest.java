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

class WebhookSettingsTest {
    private static final String EXPECTED = "(expected: an http:// or https:// URL with a host and no user:password@,"
            + " such as https://rollout.example.com/hooks/floorflash, or \"\" for no webhook)";

    @Test
    void isOffByDefaultWithTheDocumentedLimits() {
        WebhookSettings webhook = SettingsLoader.load(null, Map.of()).hooks().webhook();

        assertThat(webhook.enabled()).isFalse();
        assertThat(webhook.url()).isEmpty();
        assertThat(webhook.queueSize()).isEqualTo(10_000);
        assertThat(webhook.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(webhook.maxRetries()).isEqualTo(5);
        assertThat(webhook.backoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(webhook.maxBackoff()).isEqualTo(Duration.ofSeconds(60));
        assertThat(webhook.headersFile()).isEmpty();
        assertThat(webhook.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void readsEveryKey() {
        WebhookSettings webhook = SettingsLoader.load(null, Map.of(
                "floorflash.hooks.webhook.url", "https://rollout.example.com:8443/hooks?token=x",
                "floorflash.hooks.webhook.queue-size", 50,
                "floorflash.hooks.webhook.timeout", "2 s",
                "floorflash.hooks.webhook.max-retries", 0,
                "floorflash.hooks.webhook.backoff", "100 ms",
                "floorflash.hooks.webhook.max-backoff", "1 s",
                "floorflash.hooks.webhook.headers-file", "/etc/floorflash/webhook-headers",
                "floorflash.hooks.webhook.shutdown-timeout", "0 s")).hooks().webhook();

        assertThat(webhook).isEqualTo(new WebhookSettings(Optional.of(URI.create("https://rollout.example.com:8443/hooks?token=x")),
                50, Duration.ofSeconds(2), 0, Duration.ofMillis(100), Duration.ofSeconds(1),
                Optional.of(Path.of("/etc/floorflash/webhook-headers")), Duration.ZERO));
        assertThat(webhook.displayUrl()).isEqualTo("https://rollout.example.com:8443/hooks?...");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/x", "http://", "example.com/hooks", "https://user:secret@example.com/",
            "http://exa mple.com/"})
    void refusesAUrlThatIsNotHttpWithAHost(String url) {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.hooks.webhook.url", url)));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactly("floorflash.hooks.webhook.url: '" + url + "' " + EXPECTED);
    }

    @Test
    void reportsEveryProblemOfTheSectionAtOnce() {
        SettingsException failure = catchThrowableOfType(SettingsException.class, () -> SettingsLoader.load(null, Map.of(
                "floorflash.hooks.webhook.queue-size", 0,
                "floorflash.hooks.webhook.backoff", "10 s",
                "floorflash.hooks.webhook.max-backoff", "1 s",
                "floorflash.hooks.webhook.urll", "http://127.0.0.1/")));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.hooks.webhook.urll: unknown key (did you mean 'url'?)",
                "floorflash.hooks.webhook.queue-size: 0 (expected: 1-1000000)",
                "floorflash.hooks.webhook.max-backoff: PT1S (expected: at least backoff, PT10S)");
    }

    @Test
    void turnsOffWithAnEmptyUrl() {
        WebhookSettings on = SettingsLoader.load(null, Map.of("floorflash.hooks.webhook.url", "http://127.0.0.1:9/x"))
                .hooks().webhook();

        assertThat(on.enabled()).isTrue();
        assertThat(on.withUrl("").enabled()).isFalse();
        assertThat(on.withUrl(" ").displayUrl()).isEqualTo("(none)");
    }
}

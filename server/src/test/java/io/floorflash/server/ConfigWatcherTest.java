package io.floorflash.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {
    @TempDir
    Path dir;

    @Test
    void reloadsOnceForAFileWrittenInPlaceOrReplacedByARename() throws Exception {
        Path file = dir.resolve("floorflash.conf");
        Files.writeString(file, "a = 1\n", UTF_8);
        AtomicInteger reloads = new AtomicInteger();
        try (ConfigWatcher watcher = ConfigWatcher.start(file, Duration.ofMillis(100), reloads::incrementAndGet)) {
            Files.writeString(dir.resolve("other.txt"), "not the configuration", UTF_8);
            Files.writeString(file, "a = 2\n", UTF_8);
            Files.writeString(file, "a = 2\nb = 3\n", UTF_8);

            await().atMost(Duration.ofSeconds(10)).untilAtomic(reloads, equalTo(1));

            Path next = dir.resolve(".floorflash.conf.tmp");
            Files.writeString(next, "a = 3\n", UTF_8);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            await().atMost(Duration.ofSeconds(10)).untilAtomic(reloads, equalTo(2));

            Files.writeString(dir.resolve("other.txt"), "changed again", UTF_8);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .untilAtomic(reloads, equalTo(2));
        }
        assertThat(reloads).hasValue(2);
    }
}

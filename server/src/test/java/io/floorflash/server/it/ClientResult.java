package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;

/**
 * How one client run ended.
 *
 * @param command   what ran, for messages
 * @param exitCode  the process's exit code (0 or 1 for commons-net: returned or threw)
 * @param output    everything it printed, stdout and stderr together (the exception for commons-net)
 * @param succeeded whether the client itself reports success; for tftp-hpa, which exits 0 even on errors, that
 *                  means exit code 0 and nothing printed
 */
record ClientResult(String command, int exitCode, String output, boolean succeeded) {

    /** Fails unless the client reports success. */
    ClientResult assertSucceeded() {
        if (!succeeded) {
            fail("client failed: " + this);
        }
        return this;
    }

    /** Fails unless the client reports success and {@code downloaded} holds exactly the bytes of {@code source}. */
    void assertDelivered(Path source, Path downloaded) {
        assertSucceeded();
        assertThat(downloaded).as("%s wrote nothing", command).exists();
        assertThat(SeededFiles.sha256(downloaded)).as("SHA-256 of %s fetched by %s", source.getFileName(), command)
                .isEqualTo(SeededFiles.sha256(source));
    }

    /** Fails unless the client reports a failure. */
    ClientResult assertFailed() {
        if (succeeded) {
            fail("client succeeded but should have failed: " + this);
        }
        return this;
    }

    @Override
    public String toString() {
        return command + " (exit " + exitCode + ")\n" + output;
    }
}

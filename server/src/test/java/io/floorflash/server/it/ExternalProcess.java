package io.floorflash.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program nobody here wrote, with a time limit. Its output goes to a file rather than a pipe, so a chatty
 * program can never block on a full pipe; a run that overruns is destroyed through its own {@link Process} handle
 * and fails the test.
 */
final class ExternalProcess {
    private ExternalProcess() {
    }

    /** What a finished run left: its exit code and its stdout and stderr together. */
    record Finished(int exitCode, String output) {
    }

    /**
     * Runs {@code command} to its end, at most {@code timeout}.
     *
     * @param install how to install the program, named in the failure when it is missing
     */
    static Finished run(List<String> command, Duration timeout, String install) {
        requireOnPath(command.get(0), install);
        Path log = null;
        Process process = null;
        try {
            log = Files.createTempFile("floorflash-it-", ".log");
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s and was destroyed; it printed:\n"
                        + read(log));
            }
            return new Finished(process.exitValue(), read(log));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + String.join(" ", command), e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            if (log != null) {
                deleteQuietly(log);
            }
        }
    }

    /** Fails the test, saying how to install it, when {@code program} is not an executable on the PATH. */
    static Path requireOnPath(String program, String install) {
        if (Path.of(program).isAbsolute()) {
            return Files.isExecutable(Path.of(program)) ? Path.of(program) : fail(program + " not found: " + install);
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(program + " not found: " + install);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover log in the temp folder is harmless; the test's outcome does not depend on it.
        }
    }
}

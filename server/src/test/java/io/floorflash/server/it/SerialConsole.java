package io.floorflash.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console of a program on its stdin and stdout (a bootloader's serial port, through QEMU's {@code -nographic}),
 * driven the way pexpect drives one: send text, then wait for a pattern until a deadline. Everything the program
 * printed is kept, so a failure shows the transcript; each match moves a cursor, so a pattern is only looked for
 * in what came after the previous match.
 */
final class SerialConsole implements AutoCloseable {
    /** How much of the end of the transcript a failure message shows. */
    private static final int FAILURE_TAIL = 3000;

    private final String name;
    private final Process process;
    private final OutputStream input;
    private final Thread reader;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition printed = lock.newCondition();
    /** Everything printed so far, one char per byte (ISO-8859-1: escape sequences stay as they came). */
    private final StringBuilder transcript = new StringBuilder();
    private boolean ended;
    /** Where the next {@link #expect} starts looking. */
    private int cursor;

    private SerialConsole(String name, Process process) {
        this.name = name;
        this.process = process;
        this.input = process.getOutputStream();
        this.reader = new Thread(this::readUntilEnd, name + "-console");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} with its stderr merged into the console. */
    static SerialConsole start(String name, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            return new SerialConsole(name, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
    }

    /** What the program printed between the previous match and this one, and the groups of this one (0: all of it). */
    record Match(String before, List<String> groups) {
        String group(int index) {
            return groups.get(index);
        }
    }

    /** Sends {@code text} as it is. */
    void send(String text) {
        try {
            input.write(text.getBytes(StandardCharsets.ISO_8859_1));
            input.flush();
        } catch (IOException e) {
            throw new AssertionError(name + " no longer takes input" + tail(), e);
        }
    }

    /**
     * Types {@code line} and Enter, {@code chunk} characters at a time, each chunk only once the previous one was
     * echoed: what was echoed has been read, while a console that keeps keys in a small buffer loses what arrives
     * faster than it reads (SeaBIOS's serial console feeds iPXE through the BIOS keyboard buffer, 15 keys).
     */
    void typeLine(String line, int chunk, Duration echoTimeout) {
        for (int at = 0; at < line.length(); at += chunk) {
            String part = line.substring(at, Math.min(line.length(), at + chunk));
            send(part);
            expect(Pattern.compile(Pattern.quote(part)), echoTimeout);
        }
        send("\r");
    }

    /**
     * Waits until {@code pattern} matches what was printed after the previous match, at most {@code timeout}; fails
     * with the transcript when it does not, or when the program ends first.
     */
    Match expect(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                Matcher matcher = pattern.matcher(transcript);
                if (matcher.find(cursor)) {
                    String before = transcript.substring(cursor, matcher.start());
                    cursor = matcher.end();
                    List<String> groups = new ArrayList<>();
                    for (int group = 0; group <= matcher.groupCount(); group++) {
                        groups.add(matcher.group(group));
                    }
                    return new Match(before, groups);
                }
                if (ended) {
                    return fail(name + " ended (exit " + exitCode() + ") before printing /" + pattern + "/" + tailLocked());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return fail(name + " did not print /" + pattern + "/ within " + timeout.toMillis() + " ms" + tailLocked());
                }
                printed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        } finally {
            lock.unlock();
        }
    }

    /** The last part of the transcript, for failure messages of callers. */
    String tail() {
        lock.lock();
        try {
            return tailLocked();
        } finally {
            lock.unlock();
        }
    }

    private String tailLocked() {
        int from = Math.max(0, transcript.length() - FAILURE_TAIL);
        return "\n--- " + name + " console" + (from > 0 ? " (last " + FAILURE_TAIL + " chars)" : "") + " ---\n"
                + transcript.substring(from).replace("\r", "") + "\n--- end of " + name + " console ---";
    }

    private String exitCode() {
        return process.isAlive() ? "pending" : Integer.toString(process.exitValue());
    }

    private void readUntilEnd() {
        byte[] buffer = new byte[8192];
        try (InputStream output = process.getInputStream()) {
            for (int read = output.read(buffer); read >= 0; read = output.read(buffer)) {
                String text = new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
                lock.lock();
                try {
                    transcript.append(text);
                    printed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            // The stream closes when the process is destroyed: the end of the console either way.
        } finally {
            lock.lock();
            try {
                ended = true;
                printed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Ends the program through its own process handle: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.floorflash.server.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.net.tftp.TFTP;
import org.apache.commons.net.tftp.TFTPClient;

/**
 * The real TFTP clients the ITs drive, none of them written here: four programs run as processes and commons-net's
 * {@link TFTPClient} in this JVM. Each fetch writes the file to {@code out} and returns how the client reports it.
 */
enum Client {
    CURL(true),
    TFTP_HPA(false),
    ATFTP(true),
    BUSYBOX(true),
    /** commons-net 3.11.1 has no option support: 512-byte lock-step only. */
    COMMONS_NET(false);

    /** How long one client run may take before it is destroyed. */
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String LOOPBACK = "127.0.0.1";
    /** Closes a commons-net client whose receive overruns {@link #TIMEOUT}. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "commons-net-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final boolean negotiatesBlockSize;

    Client(boolean negotiatesBlockSize) {
        this.negotiatesBlockSize = negotiatesBlockSize;
    }

    /** Whether the client can ask for a blksize (RFC 2348). */
    boolean negotiatesBlockSize() {
        return negotiatesBlockSize;
    }

    /** Fetches {@code name} in octet mode, with only the options the client sends by itself. */
    ClientResult fetch(int port, String name, Path out) {
        return fetch(port, name, out, 0);
    }

    /**
     * Fetches {@code name}, a file of {@code size} bytes, in octet mode with the client's own options, except that curl
     * asks for an empty file without any: curl 7.88 rejects the correct "tsize 0" OACK of an empty file.
     */
    ClientResult fetchFileOf(long size, int port, String name, Path out) {
        return this == CURL && size == 0 ? curl(port, name, out, "--tftp-no-options") : fetch(port, name, out);
    }

    /** Fetches {@code name} in octet mode, asking for {@code blockSize} when it is not 0. */
    ClientResult fetch(int port, String name, Path out, int blockSize) {
        if (blockSize != 0 && !negotiatesBlockSize) {
            throw new IllegalArgumentException(this + " cannot ask for a blksize");
        }
        String size = Integer.toString(blockSize);
        switch (this) {
            case CURL:
                return blockSize == 0 ? curl(port, name, out) : curl(port, name, out, "--tftp-blksize", size);
            case TFTP_HPA:
                return tftpHpa(port, name, out, "octet");
            case ATFTP:
                return blockSize == 0 ? atftp(port, name, out) : atftp(port, name, out, "--option", "blksize " + size);
            case BUSYBOX:
                return busybox(port, name, out, blockSize);
            case COMMONS_NET:
                return commonsNet(port, name, out, TFTP.BINARY_MODE);
            default:
                throw new AssertionError(this);
        }
    }

    /** {@code curl -sS --max-time 60 FLAGS -o OUT tftp://127.0.0.1:PORT/NAME}; add {@code -v} to see a server's ERROR text. */
    static ClientResult curl(int port, String name, Path out, String... flags) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
        command.addAll(Arrays.asList(flags));
        command.addAll(List.of("-o", out.toString(), "tftp://" + LOOPBACK + ":" + port + "/" + name));
        return exitCodeCounts(command, "apt-get install curl");
    }

    /** {@code curl -sS -v --max-time 60 FLAGS -T FILE tftp://127.0.0.1:PORT/NAME}: an upload (WRQ). */
    static ClientResult curlUpload(int port, Path file, String name, String... flags) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-v", "--max-time", "60"));
        command.addAll(Arrays.asList(flags));
        command.addAll(List.of("-T", file.toString(), "tftp://" + LOOPBACK + ":" + port + "/" + name));
        return exitCodeCounts(command, "apt-get install curl");
    }

    /**
     * Uploads {@code file} as {@code name} in octet mode, asking for {@code blockSize} when it is not 0, with the
     * client's own other options; curl sends an empty file without options (see {@link #fetchFileOf}).
     */
    ClientResult upload(int port, Path file, String name, int blockSize) {
        if (blockSize != 0 && !negotiatesBlockSize) {
            throw new IllegalArgumentException(this + " cannot ask for a blksize");
        }
        String size = Integer.toString(blockSize);
        switch (this) {
            case CURL:
                if (blockSize != 0) {
                    return curlUpload(port, file, name, "--tftp-blksize", size);
                }
                return fileSize(file) == 0 ? curlUpload(port, file, name, "--tftp-no-options") : curlUpload(port, file, name);
            case TFTP_HPA:
                return tftpHpaPut(port, file, name);
            case ATFTP:
                return blockSize == 0 ? atftpPut(port, file, name) : atftpPut(port, file, name, "--option", "blksize " + size);
            case BUSYBOX:
                return busyboxPut(port, file, name, blockSize);
            case COMMONS_NET:
                return commonsNetPut(port, file, name);
            default:
                throw new AssertionError(this);
        }
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code tftp -m binary 127.0.0.1 PORT -c put FILE NAME}; like its get, it exits 0 on errors: blank output is success. */
    static ClientResult tftpHpaPut(int port, Path file, String name) {
        List<String> command = List.of("tftp", "-m", "binary", LOOPBACK, Integer.toString(port), "-c", "put", file.toString(), name);
        ExternalProcess.Finished run = ExternalProcess.run(command, TIMEOUT, "apt-get install tftp-hpa");
        return new ClientResult(String.join(" ", command), run.exitCode(), run.output(),
                run.exitCode() == 0 && run.output().isBlank());
    }

    /** {@code atftp ARGS --put -l FILE -r NAME 127.0.0.1 PORT}; args such as {@code --option "windowsize 8"}. */
    static ClientResult atftpPut(int port, Path file, String name, String... args) {
        List<String> command = new ArrayList<>(List.of("atftp"));
        command.addAll(Arrays.asList(args));
        command.addAll(List.of("--put", "-l", file.toString(), "-r", name, LOOPBACK, Integer.toString(port)));
        return exitCodeCounts(command, "apt-get install atftp");
    }

    /** {@code busybox tftp -p -l FILE -r NAME [-b N] 127.0.0.1 PORT}. */
    static ClientResult busyboxPut(int port, Path file, String name, int blockSize) {
        List<String> command = new ArrayList<>(List.of("busybox", "tftp", "-p", "-l", file.toString(), "-r", name));
        if (blockSize != 0) {
            command.addAll(List.of("-b", Integer.toString(blockSize)));
        }
        command.addAll(List.of(LOOPBACK, Integer.toString(port)));
        return exitCodeCounts(command, "apt-get install busybox");
    }

    /** commons-net's {@link TFTPClient#sendFile} in binary mode, bounded by {@link #TIMEOUT} like its receive. */
    static ClientResult commonsNetPut(int port, Path file, String name) {
        String command = "commons-net TFTPClient.sendFile(" + name + ", binary)";
        TFTPClient client = new TFTPClient();
        client.setDefaultTimeout(Duration.ofSeconds(5));
        client.setMaxTimeouts(5);
        try {
            client.open(0, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("commons-net cannot open a socket", e);
        }
        AtomicBoolean overran = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            overran.set(true);
            client.close();
        }, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try (InputStream in = Files.newInputStream(file)) {
            client.sendFile(name, TFTP.BINARY_MODE, in, InetAddress.getLoopbackAddress(), port);
            return new ClientResult(command, 0, "", true);
        } catch (IOException e) {
            if (overran.get()) {
                throw new AssertionError(command + " did not finish within " + TIMEOUT.toSeconds() + " s and was closed", e);
            }
            return new ClientResult(command, 1, e.toString(), false);
        } finally {
            watchdog.cancel(false);
            client.close();
        }
    }

    /**
     * {@code tftp -m MODE 127.0.0.1 PORT -c get NAME OUT}. tftp-hpa cannot negotiate options (512-byte lock-step), and
     * exits 0 even when the server refuses: it succeeded only if it printed nothing.
     */
    static ClientResult tftpHpa(int port, String name, Path out, String mode) {
        List<String> command = List.of("tftp", "-m", mode, LOOPBACK, Integer.toString(port), "-c", "get", name, out.toString());
        ExternalProcess.Finished run = ExternalProcess.run(command, TIMEOUT, "apt-get install tftp-hpa");
        return new ClientResult(String.join(" ", command), run.exitCode(), run.output(),
                run.exitCode() == 0 && run.output().isBlank());
    }

    /** {@code atftp ARGS -g -r NAME -l OUT 127.0.0.1 PORT}; args such as {@code --option "blksize 1468"}, {@code --trace}. */
    static ClientResult atftp(int port, String name, Path out, String... args) {
        List<String> command = new ArrayList<>(List.of("atftp"));
        command.addAll(Arrays.asList(args));
        command.addAll(List.of("-g", "-r", name, "-l", out.toString(), LOOPBACK, Integer.toString(port)));
        return exitCodeCounts(command, "apt-get install atftp");
    }

    /** {@code busybox tftp -g -r NAME -l OUT [-b N] 127.0.0.1 PORT}; {@code blockSize} 0 asks for no blksize. */
    static ClientResult busybox(int port, String name, Path out, int blockSize) {
        List<String> command = new ArrayList<>(List.of("busybox", "tftp", "-g", "-r", name, "-l", out.toString()));
        if (blockSize != 0) {
            command.addAll(List.of("-b", Integer.toString(blockSize)));
        }
        command.addAll(List.of(LOOPBACK, Integer.toString(port)));
        return exitCodeCounts(command, "apt-get install busybox");
    }

    /**
     * commons-net's {@link TFTPClient#receiveFile} in {@code mode} ({@link TFTP#BINARY_MODE} or {@link TFTP#ASCII_MODE}),
     * bounded by {@link #TIMEOUT}: an overrun closes the client's socket, which ends the receive.
     */
    static ClientResult commonsNet(int port, String name, Path out, int mode) {
        return commonsNet(port, name, out, mode, InetAddress.getLoopbackAddress());
    }

    /** The same from the local address {@code from} (any of 127.0.0.0/8 on Linux: one "phone" per address). */
    static ClientResult commonsNet(int port, String name, Path out, int mode, InetAddress from) {
        return commonsNet(InetAddress.getLoopbackAddress(), port, name, out, mode, from);
    }

    /** The same, asking the server at {@code server}. */
    static ClientResult commonsNet(InetAddress server, int port, String name, Path out, int mode, InetAddress from) {
        String command = "commons-net TFTPClient.receiveFile(" + name + ", " + TFTP.getModeName(mode) + ") from "
                + from.getHostAddress() + " to " + server.getHostAddress();
        TFTPClient client = new TFTPClient();
        client.setDefaultTimeout(Duration.ofSeconds(5));
        client.setMaxTimeouts(5);
        try {
            client.open(0, from);
        } catch (IOException e) {
            throw new UncheckedIOException("commons-net cannot open a socket", e);
        }
        AtomicBoolean overran = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            overran.set(true);
            client.close();
        }, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try (OutputStream file = Files.newOutputStream(out)) {
            client.receiveFile(name, mode, file, server, port);
            return new ClientResult(command, 0, "", true);
        } catch (IOException e) {
            if (overran.get()) {
                throw new AssertionError(command + " did not finish within " + TIMEOUT.toSeconds() + " s and was closed", e);
            }
            return new ClientResult(command, 1, e.toString(), false);
        } finally {
            watchdog.cancel(false);
            client.close();
        }
    }

    private static ClientResult exitCodeCounts(List<String> command, String install) {
        ExternalProcess.Finished run = ExternalProcess.run(command, TIMEOUT, install);
        return new ClientResult(String.join(" ", command), run.exitCode(), run.output(), run.exitCode() == 0);
    }
}

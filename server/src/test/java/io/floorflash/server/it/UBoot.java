package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * U-Boot 2023.01 (Debian's {@code u-boot-qemu}, {@code qemu_arm64}) in QEMU's aarch64 {@code virt} machine, its virtio
 * network card on a tap of the namespace, driven at its {@code =>} prompt. A fetch is one command line: {@code tftp}
 * loads the file into memory and U-Boot's own {@code crc32} checksums what it loaded.
 */
final class UBoot implements AutoCloseable {
    static final String ADDRESS = NetworkNamespace.PREFIX + "2";
    private static final Path FIRMWARE = Path.of("/usr/lib/u-boot/qemu_arm64/u-boot.bin");
    private static final String INSTALL = "apt-get install qemu-system-arm u-boot-qemu";
    private static final Pattern PROMPT = Pattern.compile("=> ");
    private static final Pattern BYTES = Pattern.compile("Bytes transferred = (\\d+) ");
    private static final Pattern CRC32 = Pattern.compile("crc32 for [0-9a-f]+ \\.\\.\\. [0-9a-f]+ ==> ([0-9a-f]{8})");
    /** Long enough for the rollover image (4 s at blksize 512 and windowsize 8 here, 18 s in lock-step). */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration ECHO_TIMEOUT = Duration.ofSeconds(10);

    private final SerialConsole console;
    private final TapCapture capture;
    private int commands;

    private UBoot(SerialConsole console, TapCapture capture) {
        this.console = console;
        this.capture = capture;
    }

    /**
     * Starts QEMU in {@code namespace} on a new tap, capturing the card's traffic to {@code work/uboot.pcap}; call
     * {@link #awaitPrompt} before fetching.
     */
    static UBoot start(NetworkNamespace namespace, Path work) {
        ExternalProcess.requireOnPath("qemu-system-aarch64", INSTALL);
        assertThat(FIRMWARE).as("U-Boot for QEMU's virt machine: " + INSTALL).isRegularFile();
        String tap = namespace.addTap("tap-uboot");
        Path pcap = work.resolve("uboot.pcap");
        SerialConsole console = SerialConsole.start("U-Boot", namespace.exec(List.of("qemu-system-aarch64",
                "-M", "virt", "-cpu", "cortex-a57", "-m", "256", "-nographic", "-bios", FIRMWARE.toString(),
                "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no,vnet_hdr=off",
                // No option ROM: U-Boot drives the card itself, and QEMU then needs no ipxe-qemu for it.
                "-device", "virtio-net-pci,netdev=n0,romfile=",
                "-object", "filter-dump,id=dump,netdev=n0,file=" + pcap)));
        return new UBoot(console, new TapCapture(pcap));
    }

    /** Stops the autoboot countdown, then gives U-Boot its address and the server's. */
    void awaitPrompt() {
        console.expect(Pattern.compile("Hit any key to stop autoboot"), Duration.ofSeconds(60));
        console.send(" ");
        console.expect(PROMPT, ECHO_TIMEOUT);
        run("setenv ffmark ff; setenv ipaddr " + ADDRESS + "; setenv netmask " + NetworkNamespace.NETMASK
                + "; setenv serverip " + NetworkNamespace.SERVER_ADDRESS);
    }

    /**
     * What one {@code tftp} command did.
     *
     * @param status   the command line's exit status ($?): 0 when the file loaded and was checksummed
     * @param console  what U-Boot printed meanwhile
     * @param bytes    U-Boot's "Bytes transferred" (it prints none for an empty file)
     * @param crc32    U-Boot's CRC32 of the bytes it loaded, in hex
     * @param exchange the transfer as the card saw it
     */
    record Fetch(int status, String console, OptionalLong bytes, Optional<String> crc32, TftpExchange exchange) {
    }

    /**
     * Fetches {@code file} into memory with {@code tftpblocksize} and {@code tftpwindowsize} (1: no windowsize option)
     * and checksums it; {@code filesize} is reset first, because U-Boot leaves it alone for an empty file.
     */
    Fetch fetch(String file, int blockSize, int windowSize) {
        capture.startFetch();
        SerialConsole.Match done = run("setenv tftpblocksize " + blockSize + "; setenv tftpwindowsize " + windowSize
                + "; setenv filesize 0; tftp ${loadaddr} " + file + " && crc32 ${loadaddr} ${filesize}");
        String printed = done.before();
        Matcher bytes = BYTES.matcher(printed);
        Matcher crc = CRC32.matcher(printed);
        return new Fetch(Integer.parseInt(done.group(1)), printed,
                bytes.find() ? OptionalLong.of(Long.parseLong(bytes.group(1))) : OptionalLong.empty(),
                crc.find() ? Optional.of(crc.group(1)) : Optional.empty(),
                capture.awaitExchange(file));
    }

    /**
     * Runs {@code line} followed by an echo of a numbered mark and the exit status: the typed line shows
     * {@code ${ffmark}-N-$?}, the output {@code ff-N-0}, so only the output matches.
     */
    private SerialConsole.Match run(String line) {
        int mark = ++commands;
        console.typeLine(line + "; echo ${ffmark}-" + mark + "-$?", 64, ECHO_TIMEOUT);
        SerialConsole.Match done = console.expect(Pattern.compile("ff-" + mark + "-(\\d+)"), COMMAND_TIMEOUT);
        console.expect(PROMPT, ECHO_TIMEOUT);
        return done;
    }

    @Override
    public void close() {
        console.close();
    }
}

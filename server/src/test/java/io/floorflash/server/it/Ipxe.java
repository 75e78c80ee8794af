package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * iPXE (Debian's {@code ipxe} package, 1.0.0+git-20190125) booted by QEMU's x86_64 machine as a Linux kernel
 * ({@code ipxe.lkrn}), its e1000 card on a tap of the namespace. The kernel command line configures the card and
 * opens iPXE's shell; SeaBIOS's serial console carries it to stdio. Debian's build has no digest command, so the
 * bytes are checked on the capture of the card's traffic instead.
 */
final class Ipxe implements AutoCloseable {
    static final String ADDRESS = NetworkNamespace.PREFIX + "3";
    private static final Path KERNEL = Path.of("/usr/lib/ipxe/ipxe.lkrn");
    private static final String INSTALL = "apt-get install qemu-system-x86 ipxe";
    private static final Pattern PROMPT = Pattern.compile("iPXE> ");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration ECHO_TIMEOUT = Duration.ofSeconds(10);
    /** Below SeaBIOS's keyboard buffer of 15 keys, which its serial console fills from the UART. */
    private static final int TYPING_CHUNK = 12;

    private final SerialConsole console;
    private final TapCapture capture;

    private Ipxe(SerialConsole console, TapCapture capture) {
        this.console = console;
        this.capture = capture;
    }

    /**
     * Starts QEMU in {@code namespace} on a new tap, capturing the card's traffic to {@code work/ipxe.pcap}; call
     * {@link #awaitPrompt} before fetching.
     */
    static Ipxe start(NetworkNamespace namespace, Path work) {
        ExternalProcess.requireOnPath("qemu-system-x86_64", INSTALL);
        assertThat(KERNEL).as("iPXE as a Linux kernel: " + INSTALL).isRegularFile();
        String tap = namespace.addTap("tap-ipxe");
        Path pcap = work.resolve("ipxe.pcap");
        String script = "ifopen net0 && set net0/ip " + ADDRESS + " && set net0/netmask " + NetworkNamespace.NETMASK + " && shell";
        SerialConsole console = SerialConsole.start("iPXE", namespace.exec(List.of("qemu-system-x86_64",
                "-m", "128", "-nographic", "-kernel", KERNEL.toString(), "-append", script,
                "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no,vnet_hdr=off",
                // No option ROM on the card: its iPXE would offer "Ctrl-B" and wait before the kernel boots.
                "-device", "e1000,netdev=n0,romfile=",
                "-object", "filter-dump,id=dump,netdev=n0,file=" + pcap)));
        return new Ipxe(console, new TapCapture(pcap));
    }

    void awaitPrompt() {
        console.expect(PROMPT, Duration.ofSeconds(60));
    }

    /**
     * What one {@code imgfetch} did.
     *
     * @param ok       iPXE printed "ok" for it
     * @param console  what iPXE printed meanwhile
     * @param exchange the transfer as the card saw it
     */
    record Fetch(boolean ok, String console, TftpExchange exchange) {
    }

    /** {@code imgfetch tftp://SERVER:69/FILE}: iPXE's TFTP client, with the options it always sends. */
    Fetch fetch(String file) {
        capture.startFetch();
        String url = "tftp://" + NetworkNamespace.SERVER_ADDRESS + ":" + NamespacedServer.PORT + "/" + file;
        console.typeLine("imgfetch " + url, TYPING_CHUNK, ECHO_TIMEOUT);
        String printed = console.expect(PROMPT, COMMAND_TIMEOUT).before();
        boolean ok = Pattern.compile(Pattern.quote(url) + "\\.\\.\\..*\\bok\\s*$", Pattern.DOTALL).matcher(printed).find();
        return new Fetch(ok, printed, capture.awaitExchange(file));
    }

    /** The exchange of the last fetch as captured so far: with what the server sent after iPXE was done. */
    TftpExchange lastExchange(String file) {
        return capture.exchange(file).orElseThrow();
    }

    @Override
    public void close() {
        console.close();
    }
}

package io.floorflash.loadtest;

import io.floorflash.protocol.TftpOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the clients in the field ask and retry. The option sets are the ones each sends; retry timings follow each
 * client's defaults. U-Boot's and iPXE's were taken from captures of Debian's builds in QEMU (the bootloader
 * integration test's setup); the README says where the simulated phones still behave differently.
 */
enum ClientProfile {
    /** Snom bootloader rescue mode: plain RFC 1350, octet, 512-byte blocks, no options; re-ACKs after 1 s. */
    SNOM_BOOTLOADER(Map.of(), Duration.ofSeconds(1), 10),
    /**
     * U-Boot 2023.01: timeout 5 (its tftptimeout of 5000 ms) and blksize 1468 (tftpblocksize), windowsize only when
     * tftpwindowsize is above 1, no tsize. It repeats its last packet every 5 s and gives up at the 11th timeout.
     */
    UBOOT(Map.of(TftpOptions.BLKSIZE, "1468", TftpOptions.TIMEOUT, "5"), Duration.ofSeconds(5), 10),
    /**
     * iPXE 1.0.0+git-20190125: blksize 1432 (its largest) and tsize 0, always. It repeats its last packet after about
     * 0.25 s, doubling the wait up to 8 s, and gives up some 16 s after the server last answered; a fixed 1 s wait
     * retried 15 times gives up after the same 16 s.
     */
    IPXE(Map.of(TftpOptions.BLKSIZE, "1432", TftpOptions.TSIZE, "0"), Duration.ofSeconds(1), 15),
    /** No options unless the command line adds them. */
    PLAIN(Map.of(), Duration.ofSeconds(1), 6);

    private final Map<String, String> options;
    private final Duration timeout;
    private final int retries;

    ClientProfile(Map<String, String> options, Duration timeout, int retries) {
        this.options = options;
        this.timeout = timeout;
        this.retries = retries;
    }

    /** The request's options in a stable order (blksize, tsize, timeout, windowsize). */
    Map<String, String> options() {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String name : new String[] {TftpOptions.BLKSIZE, TftpOptions.TSIZE, TftpOptions.TIMEOUT, TftpOptions.WINDOWSIZE}) {
            if (options.containsKey(name)) {
                ordered.put(name, options.get(name));
            }
        }
        return ordered;
    }

    /** The client's own wait before it repeats its last packet. */
    Duration timeout() {
        return timeout;
    }

    int retries() {
        return retries;
    }

    /** The name used on the command line: {@code snom-bootloader}, {@code uboot}, {@code ipxe}, {@code plain}. */
    String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static ClientProfile fromCliName(String name) {
        for (ClientProfile profile : values()) {
            if (profile.cliName().equals(name)) {
                return profile;
            }
        }
        throw new IllegalArgumentException("profile: '" + name + "' (expected: snom-bootloader, uboot, ipxe or plain)");
    }
}

package io.floorflash.loadtest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

/**
 * One load run, fully specified.
 *
 * @param server       the TFTP server's request address
 * @param file         the remote file name
 * @param expected     what every phone must receive
 * @param phones       transfers in flight at once
 * @param transfers    transfers in all
 * @param rampPerSecond new transfers started per second; 0 starts all at once (a switch reboot)
 * @param options      the request's options
 * @param clientTimeout the phone's own retry wait
 * @param clientRetries retries before a phone gives up
 * @param receiveLoss  fraction of received packets dropped (simulated)
 * @param sendLoss     fraction of sent packets dropped (simulated)
 * @param seed         seed of the loss model
 * @param maxDuration  hard cap on the run: phones still running then count as failed
 * @param threads      event-loop threads of the simulator
 * @param clientBase   when not null, phone N sends from {@code clientBase + (N - 1) % phones} (an IPv4 address),
 *                     so each phone has an address of its own as on a real floor; else every phone sends from
 *                     {@code bindAddress}, or the server's loopback address (or any address for a remote server)
 * @param bindAddress  when not null (and no {@code clientBase}), the one local address every phone binds: it hears
 *                     only what is sent to that address, as a phone with one address would, not datagrams meant for
 *                     another address of the same host that happen to name the same port
 */
record LoadScenario(InetSocketAddress server, String file, ExpectedContent expected, int phones, int transfers,
                    int rampPerSecond, Map<String, String> options, Duration clientTimeout, int clientRetries,
                    double receiveLoss, double sendLoss, long seed, Duration maxDuration, int threads,
                    InetAddress clientBase, InetAddress bindAddress) {
    /** A run whose phones have addresses counting up from {@code clientBase}, or the default one. */
    LoadScenario(InetSocketAddress server, String file, ExpectedContent expected, int phones, int transfers,
                 int rampPerSecond, Map<String, String> options, Duration clientTimeout, int clientRetries,
                 double receiveLoss, double sendLoss, long seed, Duration maxDuration, int threads,
                 InetAddress clientBase) {
        this(server, file, expected, phones, transfers, rampPerSecond, options, clientTimeout, clientRetries, receiveLoss,
                sendLoss, seed, maxDuration, threads, clientBase, null);
    }

    /** A run whose phones all send from one address. */
    LoadScenario(InetSocketAddress server, String file, ExpectedContent expected, int phones, int transfers,
                 int rampPerSecond, Map<String, String> options, Duration clientTimeout, int clientRetries,
                 double receiveLoss, double sendLoss, long seed, Duration maxDuration, int threads) {
        this(server, file, expected, phones, transfers, rampPerSecond, options, clientTimeout, clientRetries, receiveLoss,
                sendLoss, seed, maxDuration, threads, null, null);
    }

    /** The local address of the transfer numbered {@code id} (from 1), or null for any. */
    InetAddress localAddressOf(int id) {
        if (clientBase != null) {
            return offset(clientBase, (id - 1) % phones);
        }
        if (bindAddress != null) {
            return bindAddress;
        }
        return server.getAddress().isLoopbackAddress() ? server.getAddress() : null;
    }

    /** {@code base + n} as IPv4 addresses. */
    static InetAddress offset(InetAddress base, int n) {
        byte[] bytes = base.getAddress();
        if (bytes.length != 4) {
            throw new IllegalArgumentException("client base " + base.getHostAddress() + " (expected: an IPv4 address)");
        }
        int value = ((bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF)) + n;
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8),
                    (byte) value});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes were refused", e);
        }
    }
}

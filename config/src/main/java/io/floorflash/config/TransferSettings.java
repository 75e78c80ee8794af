package io.floorflash.config;

import io.floorflash.protocol.OptionLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * Local policy for read transfers: the option limits, block rollover, concurrency and deadline, the
 * retransmission policy, whether windows go out as one UDP GSO send ({@code udpGso}), which ports transfers answer
 * from, how many "Unknown transfer ID" errors a transfer port sends a second at most, how many transfer sockets
 * each event loop opens, how many transfers one client address may run ({@code maxTransfersPerAddress}) and the
 * longest timeout option accepted from a client ({@code maxClientTimeout}, whole seconds, 1-255). The option bounds
 * are protocol's {@link OptionLimits}.
 */
public record TransferSettings(int maxBlockSize, int maxBlockSizeIpv6, int maxWindowSize, RolloverSetting rollover,
                               int maxActiveTransfers, Duration deadline, RetransmitSettings retransmit, boolean udpGso,
                               TransferPortMode ports, int unknownTransferRepliesPerSecond, int socketsPerLoop,
                               int maxTransfersPerAddress, Duration maxClientTimeout) {
    /** What follows block 65535; mirrors the protocol module's {@code Rollover} (config has no Netty). */
    public enum RolloverSetting { ZERO, ONE, REFUSE }

    private static final int MAX_TRANSFERS = 1_000_000;
    private static final int MAX_REPLIES_PER_SECOND = 1_000_000;
    private static final int MAX_SOCKETS_PER_LOOP = 64;
    private static final Duration SHORTEST_DEADLINE = Duration.ofSeconds(1);
    private static final Duration LONGEST_DEADLINE = Duration.ofDays(1);

    public TransferSettings {
        Bounds.intIn("max-block-size", maxBlockSize, OptionLimits.MIN_BLOCK_SIZE, OptionLimits.MAX_BLOCK_SIZE);
        Bounds.intIn("max-block-size-ipv6", maxBlockSizeIpv6, OptionLimits.MIN_BLOCK_SIZE, OptionLimits.MAX_BLOCK_SIZE);
        Bounds.intIn("max-window-size", maxWindowSize, OptionLimits.MIN_WINDOW_SIZE, OptionLimits.MAX_WINDOW_SIZE);
        Objects.requireNonNull(rollover, "rollover");
        Bounds.intIn("max-active-transfers", maxActiveTransfers, 1, MAX_TRANSFERS);
        Bounds.durationIn("deadline", deadline, SHORTEST_DEADLINE, LONGEST_DEADLINE);
        Objects.requireNonNull(retransmit, "retransmit");
        Objects.requireNonNull(ports, "ports");
        Bounds.intIn("unknown-transfer-replies-per-second", unknownTransferRepliesPerSecond, 0, MAX_REPLIES_PER_SECOND);
        Bounds.intIn("sockets-per-loop", socketsPerLoop, 1, MAX_SOCKETS_PER_LOOP);
        Bounds.intIn("max-transfers-per-address", maxTransfersPerAddress, 1, MAX_TRANSFERS);
        checkWholeSeconds(maxClientTimeout);
        checkPerAddress(maxTransfersPerAddress, maxActiveTransfers);
    }

    private static void checkWholeSeconds(Duration maxClientTimeout) {
        Objects.requireNonNull(maxClientTimeout, "max-client-timeout");
        long seconds = maxClientTimeout.getSeconds();
        if (maxClientTimeout.toNanos() % 1_000_000_000L != 0
                || seconds < OptionLimits.MIN_TIMEOUT_SECONDS || seconds > OptionLimits.MAX_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("max-client-timeout: " + maxClientTimeout + " (expected: whole seconds, "
                    + OptionLimits.MIN_TIMEOUT_SECONDS + " to " + OptionLimits.MAX_TIMEOUT_SECONDS + ")");
        }
    }

    private static void checkPerAddress(int maxTransfersPerAddress, int maxActiveTransfers) {
        if (maxTransfersPerAddress > maxActiveTransfers) {
            throw new IllegalArgumentException("max-transfers-per-address: " + maxTransfersPerAddress
                    + " (expected: at most max-active-transfers, " + maxActiveTransfers + ")");
        }
    }

    /** Reads {@code floorflash.transfer}, with its {@code retransmit} section. */
    static TransferSettings read(ConfigReader in) {
        int maxBlockSize = in.intIn("max-block-size", OptionLimits.MIN_BLOCK_SIZE, OptionLimits.MAX_BLOCK_SIZE);
        int maxBlockSizeIpv6 = in.intIn("max-block-size-ipv6", OptionLimits.MIN_BLOCK_SIZE, OptionLimits.MAX_BLOCK_SIZE);
        int maxWindowSize = in.intIn("max-window-size", OptionLimits.MIN_WINDOW_SIZE, OptionLimits.MAX_WINDOW_SIZE);
        RolloverSetting rollover = in.enumValue("rollover", RolloverSetting.class);
        int maxActiveTransfers = in.intIn("max-active-transfers", 1, MAX_TRANSFERS);
        Duration deadline = in.durationIn("deadline", SHORTEST_DEADLINE, LONGEST_DEADLINE);
        RetransmitSettings retransmit = RetransmitSettings.read(in.at("retransmit"));
        boolean udpGso = in.bool("udp-gso");
        TransferPortMode ports = in.read("ports", k -> TransferPortMode.parse(in.config().getString(k)), null);
        int unknownTransferReplies = in.intIn("unknown-transfer-replies-per-second", 0, MAX_REPLIES_PER_SECOND);
        int socketsPerLoop = in.intIn("sockets-per-loop", 1, MAX_SOCKETS_PER_LOOP);
        int maxTransfersPerAddress = in.intIn("max-transfers-per-address", 1, MAX_TRANSFERS);
        Duration maxClientTimeout = in.wholeSeconds("max-client-timeout", OptionLimits.MIN_TIMEOUT_SECONDS,
                OptionLimits.MAX_TIMEOUT_SECONDS);
        in.check(() -> checkPerAddress(maxTransfersPerAddress, maxActiveTransfers),
                "max-transfers-per-address", "max-active-transfers");
        return in.build(() -> new TransferSettings(maxBlockSize, maxBlockSizeIpv6, maxWindowSize, rollover,
                maxActiveTransfers, deadline, retransmit, udpGso, ports, unknownTransferReplies, socketsPerLoop,
                maxTransfersPerAddress, maxClientTimeout));
    }
}

package io.floorflash.config;

import java.time.Duration;

/**
 * Local policy for read transfers: the option limits, block rollover, concurrency and deadline, the
 * retransmission policy, whether windows go out as one UDP GSO send ({@code udpGso}), which ports transfers answer
 * from, how many "Unknown transfer ID" errors a transfer port sends a second at most, how many transfer sockets
 * each event loop opens, how many transfers one client address may run ({@code maxTransfersPerAddress}) and the
 * longest timeout option accepted from a client ({@code maxClientTimeout}, whole seconds, 1-255).
 */
public record TransferSettings(int maxBlockSize, int maxBlockSizeIpv6, int maxWindowSize, RolloverSetting rollover,
                               int maxActiveTransfers, Duration deadline, RetransmitSettings retransmit, boolean udpGso,
                               TransferPortMode ports, int unknownTransferRepliesPerSecond, int socketsPerLoop,
                               int maxTransfersPerAddress, Duration maxClientTimeout) {
    /** What follows block 65535; mirrors the protocol module's {@code Rollover} (config has no Netty). */
    public enum RolloverSetting { ZERO, ONE, REFUSE }
}

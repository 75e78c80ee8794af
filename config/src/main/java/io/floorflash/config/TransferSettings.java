package io.floorflash.config;

import java.time.Duration;

/**
 * Local policy for read transfers: the option limits, block rollover, concurrency and deadline, the
 * retransmission policy, and whether windows go out as one UDP GSO send ({@code udpGso}).
 */
public record TransferSettings(int maxBlockSize, int maxBlockSizeIpv6, int maxWindowSize, RolloverSetting rollover,
                               int maxActiveTransfers, Duration deadline, RetransmitSettings retransmit, boolean udpGso) {
    /** What follows block 65535; mirrors the protocol module's {@code Rollover} (config has no Netty). */
    public enum RolloverSetting { ZERO, ONE, REFUSE }
}

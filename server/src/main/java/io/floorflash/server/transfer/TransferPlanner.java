package io.floorflash.server.transfer;

import io.floorflash.config.TransferSettings;
import io.floorflash.protocol.BlockNumbers;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TransferOptions;
import io.floorflash.server.firmware.FirmwareImage;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * Decides what a read request for a loaded image becomes, with no I/O: negotiates its options within the local
 * limits (IPv4 or IPv6 block sizes, the longest client timeout), refuses an image that needs more blocks than the
 * rollover setting allows, and builds the {@link ReadTransfer} with its {@link RetransmitPolicy}.
 */
public final class TransferPlanner {
    /** What a request becomes. */
    public sealed interface Plan permits Start, Refuse {
    }

    /** Start this transfer. */
    public record Start(ReadTransfer transfer, RetransmitPolicy policy) implements Plan {
    }

    /** Answer {@code error} instead; {@code reason} is what the log says. */
    public record Refuse(ErrorPacket error, String reason) implements Plan {
    }

    private final TransferSettings settings;
    private final Rollover rollover;
    private final OptionLimits ipv4Limits;
    private final OptionLimits ipv6Limits;

    public TransferPlanner(TransferSettings settings) {
        this.settings = settings;
        this.rollover = rolloverOf(settings.rollover());
        int maxTimeout = (int) settings.maxClientTimeout().toSeconds();
        this.ipv4Limits = new OptionLimits(settings.maxBlockSize(), settings.maxWindowSize(), maxTimeout);
        this.ipv6Limits = new OptionLimits(settings.maxBlockSizeIpv6(), settings.maxWindowSize(), maxTimeout);
    }

    /** The plan for {@code request} from {@code client}, once its {@code image} is loaded. */
    public Plan plan(ReadRequest request, InetSocketAddress client, FirmwareImage image) {
        OptionLimits limits = client.getAddress() instanceof Inet6Address ? ipv6Limits : ipv4Limits;
        TransferOptions options = TransferOptions.negotiate(request.options(), limits, image.size());
        long blocks = BlockNumbers.blockCount(image.size(), options.blockSize());
        if (!rollover.allows(blocks)) {
            String why = image.name() + " is " + image.size() + " bytes: " + blocks + " blocks of " + options.blockSize()
                    + " bytes, more than 65535, and this server does not roll block numbers over. Ask with a larger"
                    + " blksize, fetch it over HTTP, or set floorflash.transfer.rollover = zero";
            return new Refuse(new ErrorPacket(ErrorCode.NOT_DEFINED, why), why);
        }
        return new Start(new ReadTransfer(image.size(), options, rollover, settings.retransmit().maxRetries(),
                settings.retransmit().maxUnverifiedRetries()),
                RetransmitPolicy.of(settings.retransmit(), options.timeoutSeconds()));
    }

    static Rollover rolloverOf(TransferSettings.RolloverSetting setting) {
        switch (setting) {
            case ONE:
                return Rollover.TO_ONE;
            case REFUSE:
                return Rollover.REFUSE;
            default:
                return Rollover.TO_ZERO;
        }
    }
}

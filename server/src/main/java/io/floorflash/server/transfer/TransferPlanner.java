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
import io.floorflash.protocol.TftpOptions;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.WriteRequest;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decides what a read request for a loaded image becomes, with no I/O: negotiates its options within the local
 * limits (IPv4 or IPv6 block sizes, the longest client timeout), refuses an image that needs more blocks than the
 * rollover setting allows, and builds the {@link ReadTransfer} with its {@link RetransmitPolicy}.
 */
public final class TransferPlanner {
    /** What a request becomes. */
    public sealed interface Plan permits Start, StartUpload, Refuse {
    }

    /** Start this transfer. */
    public record Start(ReadTransfer transfer, RetransmitPolicy policy) implements Plan {
    }

    /** Start this upload; {@code declaredSize} is the client's tsize, or -1. */
    public record StartUpload(WriteTransfer transfer, RetransmitPolicy policy, long declaredSize) implements Plan {
    }

    /** Answer {@code error} instead; {@code reason} is what the log says, {@code refusal} what is counted. */
    public record Refuse(ErrorPacket error, String reason, RefusalReason refusal) implements Plan {
        public Refuse(ErrorPacket error, String reason) {
            this(error, reason, RefusalReason.TOO_MANY_BLOCKS);
        }
    }

    /** A tsize an upload may announce: up to 18 digits, so it fits a long. */
    private static final Pattern TSIZE = Pattern.compile("\\d{1,18}");

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

    /**
     * The plan for upload {@code request} from {@code client}, decided before anything touches the disk: octet mode
     * only (netascii would need converting line ends on the way to disk; phones upload in octet), and a tsize above
     * {@code maxBytes} refused with ERROR 3 (RFC 2349). A tsize that is not a number is left out of the OACK; a valid
     * one is echoed. blksize, windowsize and timeout are negotiated as for reads.
     */
    public Plan planWrite(WriteRequest request, InetSocketAddress client, long maxBytes) {
        if (request.mode() != TransferMode.OCTET) {
            String why = "Uploads are accepted in octet (binary) mode only, not " + request.mode().wireName();
            return new Refuse(new ErrorPacket(ErrorCode.NOT_DEFINED, why), why, RefusalReason.UNSUPPORTED_MODE);
        }
        Map<String, String> requested = new LinkedHashMap<>(request.options());
        String tsize = requested.get(TftpOptions.TSIZE);
        long declared = tsize != null && TSIZE.matcher(tsize).matches() ? Long.parseLong(tsize) : -1;
        if (tsize != null && declared < 0) {
            requested.remove(TftpOptions.TSIZE);
        }
        if (declared > maxBytes) {
            String why = "Disk full or allocation exceeded: " + declared + " bytes is more than the " + maxBytes
                    + " bytes an upload may have";
            return new Refuse(new ErrorPacket(ErrorCode.DISK_FULL, why), why, RefusalReason.OVER_QUOTA);
        }
        OptionLimits limits = client.getAddress() instanceof Inet6Address ? ipv6Limits : ipv4Limits;
        TransferOptions options = TransferOptions.negotiate(requested, limits, Math.max(declared, 0));
        return new StartUpload(new WriteTransfer(options, rollover, maxBytes, settings.retransmit().maxRetries(),
                settings.retransmit().maxUnverifiedRetries()),
                RetransmitPolicy.of(settings.retransmit(), options.timeoutSeconds()), declared);
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

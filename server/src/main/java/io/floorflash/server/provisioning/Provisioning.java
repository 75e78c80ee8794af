package io.floorflash.server.provisioning;

import io.floorflash.config.ProvisioningSettings;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.firmware.FirmwareStore;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Which phone gets which file, live: the current {@link Rulebook}, replaced whole by a reload while requests go on
 * (each request is decided by one version), and the image a decision names, from the {@link FirmwareStore}.
 */
public final class Provisioning {
    private final FirmwareStore store;
    private volatile Rulebook rulebook;

    public Provisioning(ProvisioningSettings settings, FirmwareStore store) {
        this.store = store;
        this.rulebook = new Rulebook(settings);
    }

    /** The rules and groups in force now. */
    public Rulebook rulebook() {
        return rulebook;
    }

    /** Puts {@code settings} in force for the requests decided from now on; running transfers keep their images. */
    public void replace(ProvisioningSettings settings) {
        rulebook = new Rulebook(settings);
    }

    /**
     * The decision for {@code requested} from {@code client}; quick, on any thread.
     *
     * @throws FirmwareException (ERROR 2) for a name the path rules refuse
     */
    public Decision decide(InetAddress client, String requested) {
        return rulebook.decide(client, requested);
    }

    /**
     * The image {@code decision} serves; fails with a {@link FirmwareException} as {@link FirmwareStore#open} does, and
     * with ERROR 2 and the rule's text for a {@link Decision.Deny}.
     */
    public CompletableFuture<FirmwareImage> open(Decision decision, TransferMode mode) {
        if (decision instanceof Decision.Serve serve) {
            return store.open(serve.served().relative(), mode);
        } else if (decision instanceof Decision.Deny deny) {
            return CompletableFuture.failedFuture(new FirmwareException(ErrorCode.ACCESS_VIOLATION, deny.text()));
        } else {
            throw new AssertionError(decision);
        }
    }

    /** The image for {@code requested} from {@code client}: {@link #decide} and {@link #open(Decision, TransferMode)}. */
    public CompletableFuture<FirmwareImage> open(InetAddress client, String requested, TransferMode mode) {
        Decision decision;
        try {
            decision = decide(client, requested);
        } catch (FirmwareException e) {
            return CompletableFuture.failedFuture(e);
        }
        return open(decision, mode);
    }
}

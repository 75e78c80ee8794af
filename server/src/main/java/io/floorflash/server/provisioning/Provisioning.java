package io.floorflash.server.provisioning;

import io.floorflash.config.ProvisioningSettings;
import io.floorflash.config.RuleSettings;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.provisioning.render.Escape;
import io.floorflash.server.provisioning.render.RenderException;
import io.floorflash.server.provisioning.render.RenderResult;
import io.floorflash.server.provisioning.render.RenderedFile;
import io.floorflash.server.provisioning.render.SettingsRenderer;
import io.floorflash.server.provisioning.render.UnknownDevice;
import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which phone gets which file, live: the current {@link Rulebook}, replaced whole by a reload while requests go on
 * (each request is decided by one version), and the image a decision names, from the {@link FirmwareStore}.
 */
public final class Provisioning {
    private static final Logger log = LoggerFactory.getLogger(Provisioning.class);
    /** Bytes of rendered settings files kept, across every template and device. */
    private static final long RENDERED_CACHE_BYTES = 64L << 20;
    /** Distinct render failures remembered as logged; past it the memory starts over. */
    private static final int MAX_REPORTED_FAILURES = 1024;

    private final FirmwareStore store;
    private final SettingsRenderer renderer;
    private volatile Rulebook rulebook;
    /** Render failures already logged (their messages name the files and their problems); bounded. */
    private final Set<String> reportedFailures = ConcurrentHashMap.newKeySet();

    public Provisioning(ProvisioningSettings settings, FirmwareStore store) {
        this.store = store;
        this.renderer = new SettingsRenderer(RENDERED_CACHE_BYTES);
        this.rulebook = new Rulebook(settings);
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
        } else if (decision instanceof Decision.Render render) {
            return render(render, mode);
        } else {
            throw new AssertionError(decision);
        }
    }

    /**
     * The device's file made from the rule's template and its inventory row, on the store's load queue (the files are
     * read there, never on an event loop); a device the inventory does not list gets the rule's fallback, or ERROR 1.
     * A template or inventory that cannot be used answers ERROR 0 and is logged once per version of the two files.
     */
    private CompletableFuture<FirmwareImage> render(Decision.Render render, TransferMode mode) {
        RuleSettings.Render action = render.action();
        String name = render.requested().relative();
        CompletableFuture<Object> made = store.generate(name, () -> {
            RenderResult result;
            try {
                result = renderer.render(action.template(), action.inventory(), render.mac(), render.values(),
                        Escape.valueOf(action.escape().name()));
            } catch (RenderException e) {
                if (reportedFailures.size() >= MAX_REPORTED_FAILURES) {
                    reportedFailures.clear();
                }
                if (reportedFailures.add(e.getMessage())) {
                    log.warn("{} cannot render {}: {}", render.rule().label(), name, e.getMessage());
                }
                throw new FirmwareException(ErrorCode.NOT_DEFINED, name + " cannot be made: its template or inventory"
                        + " is broken; see the server log");
            }
            if (result instanceof RenderedFile file) {
                return store.generatedImage(name, mode, file.content(), file.sha256());
            }
            return result;
        });
        return made.thenCompose(result -> {
            if (result instanceof FirmwareImage image) {
                return CompletableFuture.completedFuture(image);
            }
            UnknownDevice unknown = (UnknownDevice) result;
            log.debug("{} for {}: {}", render.rule().label(), name, unknown.reason());
            if (render.fallback() != null) {
                return store.open(render.fallback().relative(), mode);
            }
            return CompletableFuture.failedFuture(new FirmwareException(ErrorCode.FILE_NOT_FOUND,
                    "File not found: " + name + " (no such device in the inventory)"));
        });
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

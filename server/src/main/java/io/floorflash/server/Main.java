package io.floorflash.server;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsException;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.audit.AuditLog;
import io.floorflash.server.audit.AuditTrail;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferLog;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code java -jar floorflash.jar [--config FILE] [--root DIR] [--address IP] [--port N] [--http-address IP]
 * [--http-port N] [--firmware-http-address IP] [--firmware-http-port N] [--demo]}, and
 * {@code java -jar floorflash.jar explain --config FILE --client IP NAME} ({@link ExplainCommand}), and
 * {@code java -jar floorflash.jar prefetch --config FILE [NAME...]} ({@link PrefetchCommand}).
 */
@Command(name = "floorflash", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpAutoWidth = true, subcommands = {ExplainCommand.class, PrefetchCommand.class},
        description = "TFTP server that gets a whole floor of IP phones their firmware at once.%n"
                + "Flags override the HOCON file given with --config, which overrides the defaults (reference.conf).")
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    /** Port the demo listens on unless --port says otherwise: unprivileged, and not 69. */
    static final int DEMO_PORT = 6969;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration file.")
    Path config;

    @Option(names = "--root", paramLabel = "DIR", description = "Folder the firmware is served from (floorflash.firmware.root).")
    Path root;

    @Option(names = "--address", paramLabel = "IP", description = "Address to listen on (floorflash.tftp.address; default all).")
    String address;

    @Option(names = "--port", paramLabel = "N", description = "UDP port to listen on (floorflash.tftp.port; default 69).")
    Integer port;

    @Option(names = "--http-address", paramLabel = "IP",
            description = "Address of the operator side: floor page, /api/transfers, /metrics, health"
                    + " (floorflash.http.address; default 127.0.0.1).")
    String httpAddress;

    @Option(names = "--http-port", paramLabel = "N",
            description = "TCP port of the operator side (floorflash.http.port; default 8069; 0 picks one).")
    Integer httpPort;

    @Option(names = "--firmware-http-address", paramLabel = "IP",
            description = "Address of the phones' firmware downloads over HTTP, /firmware/NAME; turns them on"
                    + " (floorflash.http.firmware.address; default all).")
    String firmwareHttpAddress;

    @Option(names = "--firmware-http-port", paramLabel = "N",
            description = "TCP port of the firmware downloads over HTTP; turns them on (floorflash.http.firmware.port;"
                    + " default 8070; 0 picks one).")
    Integer firmwareHttpPort;

    @Option(names = "--demo", description = "Serve generated demo images from ./demo-firmware on 127.0.0.1:" + DEMO_PORT
            + " (unless --root, --address or --port say otherwise), with the floor page, and print how to fetch them.")
    boolean demo;

    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = new PrintWriter(System.err, true);
        Overrides overrides = Overrides.none();
        DemoFirmware demoFirmware = null;
        if (demo) {
            demoFirmware = DemoFirmware.create(root != null ? root : Path.of("demo-firmware"));
            overrides = overrides.with(Key.FIRMWARE_ROOT, demoFirmware.root())
                    .with(Key.TFTP_ADDRESS, address != null ? address : "127.0.0.1")
                    .with(Key.TFTP_PORT, port != null ? port : DEMO_PORT);
            if (config == null) {
                // Beside the demo images, not in the working directory's logs/ (and never below the root it serves).
                overrides = overrides.with(Key.AUDIT_FILE, demoFirmware.root().resolveSibling("demo-audit.jsonl"));
            }
        }
        if (root != null) {
            overrides = overrides.with(Key.FIRMWARE_ROOT, root);
        }
        if (address != null) {
            overrides = overrides.with(Key.TFTP_ADDRESS, address);
        }
        if (port != null) {
            overrides = overrides.with(Key.TFTP_PORT, port);
        }
        overrides = overrides.with(httpFlags());
        Settings settings;
        try {
            settings = SettingsLoader.load(config, overrides);
        } catch (SettingsException e) {
            err.println("floorflash: " + e.getMessage());
            return 2;
        }
        AuditTrail audit = null;
        FloorflashServer server;
        try {
            List<TransferListener> listeners = new ArrayList<>(List.of(new TransferLog()));
            if (settings.audit().enabled()) {
                audit = AuditTrail.open(settings.audit());
                listeners.add(new AuditLog(settings.node().name()));
            }
            server = FloorflashServer.start(settings, TransferListener.all(listeners));
        } catch (ServerStartException e) {
            if (audit != null) {
                audit.close();
            }
            err.println("floorflash: " + e.getMessage());
            return 1;
        }
        AuditTrail openedAudit = audit;
        if (audit != null) {
            server.showAuditLoss(audit);
        }
        reloadOnHangUp(server, overrides, settings);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(server.settings().shutdown().drainTime()); // the last reload's
            if (openedAudit != null) {
                openedAudit.close();
            }
            stopped.countDown();
            // A JVM stopped by a signal exits with 128 + the signal (143 for SIGTERM), which systemd and scripts read
            // as a failure. This stop was orderly and complete, so it ends with 0; a failure above skips this line
            // and keeps the signal's status.
            Runtime.getRuntime().halt(0);
        }, "floorflash-shutdown"));
        if (demoFirmware != null) {
            System.out.println(demoFirmware.instructions(server.localAddress()));
            server.pageUrl().ifPresent(url -> System.out.println("Watch the floor: " + url + "\n"));
        }
        stopped.await();
        return 0;
    }

    /**
     * SIGHUP (systemctl reload) reads --config again and puts its rules, groups, roster and checksum setting in force,
     * on a thread of its own (the signal's thread only hands it over); with floorflash.reload.watch-config, so does a
     * change to the file. Without --config there is nothing to reload.
     */
    private void reloadOnHangUp(FloorflashServer server, Overrides overrides, Settings settings) {
        Runnable onHangUp;
        if (config != null) {
            ConfigReloader reloader = new ConfigReloader(config, overrides, server);
            server.showReloads(reloader);
            ExecutorService reloads = Executors.newSingleThreadExecutor(new DefaultThreadFactory("floorflash-reload", true));
            onHangUp = () -> reloads.execute(reloader::reload);
            if (settings.reload().watchConfig()) {
                try {
                    ConfigWatcher.start(config, settings.reload().settle(), onHangUp);
                } catch (IOException e) {
                    log.warn("cannot watch {} for changes ({}); SIGHUP still reloads it", config, e.getMessage());
                }
            }
        } else {
            onHangUp = () -> log.warn("SIGHUP: floorflash was started without --config, so there is nothing to reload");
        }
        try {
            Signal.handle(new Signal("HUP"), signal -> onHangUp.run());
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP cannot be handled on this platform ({}): reloading the configuration needs a restart",
                    e.getMessage());
        }
    }

    /** The HTTP sides' flags as configuration overrides: an address or port given turns its side on. */
    Overrides httpFlags() {
        Overrides overrides = Overrides.none();
        if (httpAddress != null || httpPort != null || demo) {
            // Asking for the page, or for the demo, turns the operator side on even if the file turned it off.
            overrides = overrides.with(Key.HTTP_ENABLED, true);
        }
        if (httpAddress != null) {
            overrides = overrides.with(Key.HTTP_ADDRESS, httpAddress);
        }
        if (httpPort != null) {
            overrides = overrides.with(Key.HTTP_PORT, httpPort);
        }
        if (firmwareHttpAddress != null || firmwareHttpPort != null) {
            // Likewise: giving the firmware side an address or a port asks for it.
            overrides = overrides.with(Key.FIRMWARE_HTTP_ENABLED, true);
        }
        if (firmwareHttpAddress != null) {
            overrides = overrides.with(Key.FIRMWARE_HTTP_ADDRESS, firmwareHttpAddress);
        }
        if (firmwareHttpPort != null) {
            overrides = overrides.with(Key.FIRMWARE_HTTP_PORT, firmwareHttpPort);
        }
        return overrides;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"floorflash " + (version == null ? "(development build)" : version)};
        }
    }
}

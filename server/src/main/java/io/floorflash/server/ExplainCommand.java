package io.floorflash.server;

import com.github.benmanes.caffeine.cache.Ticker;
import io.floorflash.config.GroupSettings;
import io.floorflash.config.Overrides;
import io.floorflash.config.RosterEntry;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsException;
import io.floorflash.config.SettingsLoader;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.provisioning.Decision;
import io.floorflash.server.provisioning.Provisioning;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code floorflash explain --config FILE --client IP NAME}: what the server would answer, without a server: the rule
 * that matches (its place and text), the action and the file it names with its SHA-256, or why the request would be
 * refused. The same code decides and loads as the server's (the rules, the path rules, SHA256SUMS), run on this
 * thread. Exit 0 with an answer; 2 when the configuration is broken (every problem listed) or the client is no address.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Explain which rule decides a request, and the file (and SHA-256) it would be served, or why it"
                + " would be refused. Exit 0 with an answer, 2 for a broken configuration.")
final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", required = true, description = "HOCON configuration file.")
    Path config;

    @Option(names = "--client", paramLabel = "IP", required = true, description = "The client's address.")
    String client;

    @Parameters(paramLabel = "NAME", description = "The file name the client asks for.")
    String name;

    @Override
    public Integer call() {
        // The answer is the output: the store's INFO lines (an image loaded) would only interleave with it.
        if (LoggerFactory.getLogger("io.floorflash") instanceof ch.qos.logback.classic.Logger floorflash) {
            ch.qos.logback.classic.Level before = floorflash.getLevel();
            floorflash.setLevel(ch.qos.logback.classic.Level.WARN);
            try {
                return explain();
            } finally {
                floorflash.setLevel(before);
            }
        }
        return explain();
    }

    private int explain() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Settings settings;
        try {
            settings = SettingsLoader.load(config, Overrides.none());
        } catch (SettingsException e) {
            err.println("floorflash explain: " + config + ": " + e.getMessage());
            return 2;
        }
        InetAddress address;
        try {
            if (!client.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new UnknownHostException(client);
            }
            address = InetAddress.getByName(client);
        } catch (UnknownHostException e) {
            err.println("floorflash explain: --client '" + client + "' (expected: an IPv4 or IPv6 address)");
            return 2;
        }
        FirmwareStore store = new FirmwareStore(settings.firmware(), Runnable::run, Ticker.systemTicker());
        Provisioning provisioning = new Provisioning(settings.provisioning(), store);
        out.println("client:   " + address.getHostAddress() + describeClient(settings, address));
        out.println("request:  " + name);
        Decision decision;
        try {
            decision = provisioning.decide(address, name);
        } catch (FirmwareException e) {
            out.println("refused:  ERROR " + e.code().code() + " \"" + e.getMessage() + "\" (the path rules)");
            return 0;
        }
        out.println("rule:     " + (decision.rule() == null
                ? "none matches" + (settings.provisioning().rules().isEmpty() ? " (no rules configured)" : "")
                : decision.rule().label() + " " + decision.rule().text()));
        if (decision instanceof Decision.Deny deny) {
            out.println("action:   deny");
            out.println("refused:  ERROR 2 \"" + deny.text() + "\"");
            return 0;
        }
        if (decision instanceof Decision.Serve serve) {
            out.println("action:   serve " + serve.served()
                    + (decision.rule() == null && decision.group() != null && !decision.group().release().isEmpty()
                    ? " (from " + decision.group() + ")" : ""));
        }
        if (decision instanceof Decision.Render render) {
            out.println("action:   render " + render.action().template() + " with the row of device '" + render.mac()
                    + "' in " + render.action().inventory() + (render.fallback() == null ? ""
                    : "; a device not listed gets " + render.fallback()));
        }
        try {
            FirmwareImage image = provisioning.open(decision, TransferMode.OCTET).join();
            out.println("file:     " + (decision instanceof Decision.Render && image.name().equals(decision.requested()
                    .relative()) ? "rendered " + image.name() : settings.firmware().root().resolve(image.name()))
                    + ", " + image.size() + " bytes");
            out.println("sha256:   " + image.sha256());
            out.println("result:   served");
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FirmwareException refusal && refusal.code() == ErrorCode.FILE_NOT_FOUND
                    && settings.origin().enabled()) {
                // explain reads the root only: it neither fetches nor fills the node's cache.
                out.println("origin:   not below the root; the server pulls it from "
                        + settings.origin().url().orElseThrow() + " (or serves its cached copy from "
                        + settings.origin().cacheDir() + ")");
            } else if (cause instanceof FirmwareException refusal) {
                out.println("refused:  ERROR " + refusal.code().code() + " \"" + refusal.getMessage() + "\"");
            } else {
                out.println("refused:  ERROR 0 \"Internal server error\" (" + cause + ")");
            }
        } finally {
            store.close();
        }
        return 0;
    }

    /** " (roster: Floor 5; group 'canary' (release releases/10.1.2))", or "". */
    private static String describeClient(Settings settings, InetAddress address) {
        List<String> about = new ArrayList<>();
        // As the floor page names it: a single address's name wins over its network's, the narrowest network's next.
        settings.http().floor().roster().stream()
                .filter(entry -> entry.contains(address) && !entry.name().isEmpty())
                .max(Comparator.comparingInt(RosterEntry::prefixLength))
                .ifPresent(entry -> about.add("roster: " + entry.name()));
        GroupSettings group = settings.provisioning().groupOf(address);
        if (group != null) {
            about.add(group.toString());
        }
        return about.isEmpty() ? "" : " (" + String.join("; ", about) + ")";
    }
}

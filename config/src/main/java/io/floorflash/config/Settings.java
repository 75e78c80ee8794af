package io.floorflash.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** All of floorflash's settings, one record per concern; build them with {@link SettingsLoader}. */
public record Settings(ListenerSettings tftp, TransferSettings transfer, FirmwareSettings firmware, HttpSettings http,
                       AuditSettings audit, ShutdownSettings shutdown, UploadSettings uploads,
                       ProvisioningSettings provisioning, ReloadSettings reload,
                       HookSettings hooks, NodeSettings node, S3OriginSettings s3Origin, OriginSettings origin) {
    public Settings {
        Objects.requireNonNull(tftp, "tftp");
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(firmware, "firmware");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(shutdown, "shutdown");
        Objects.requireNonNull(uploads, "uploads");
        Objects.requireNonNull(provisioning, "provisioning");
        Objects.requireNonNull(reload, "reload");
        Objects.requireNonNull(hooks, "hooks");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(s3Origin, "s3Origin");
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * The full keys ({@code floorflash.tftp.port}) whose values differ between {@code before} and {@code after} and
     * take effect only after a restart: addresses, ports, sockets, thread pools, the cache, the transfers' policy, the
     * audit file, uploads, the reload watcher (see {@link Key#restartOnly()}). A reload applies the
     * rest (rules, groups, roster, hooks, require-checksums, drain-time) and says these need a restart; empty when none
     * changed.
     */
    public static List<String> restartNeeded(Settings before, Settings after) {
        List<String> changed = new ArrayList<>();
        for (Key<?> key : Key.all()) {
            if (key.restartOnly() && !Objects.equals(key.valueIn(before), key.valueIn(after))) {
                changed.add(key.name());
            }
        }
        // The pull-through is built once, at start: a change to one of its keys without a typed key counts too.
        if (!before.origin().equals(after.origin()) && changed.stream().noneMatch(key
                -> key.startsWith("floorflash.firmware.origin.") || key.equals("floorflash.firmware.cache-dir"))) {
            changed.add("floorflash.firmware.origin");
        }
        if (!before.s3Origin().equals(after.s3Origin())
                && changed.stream().noneMatch(key -> key.startsWith("floorflash.firmware.origin-s3."))) {
            changed.add("floorflash.firmware.origin-s3");
        }
        return changed;
    }
}

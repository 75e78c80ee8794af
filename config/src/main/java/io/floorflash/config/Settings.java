package io.floorflash.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** All of floorflash's settings, one record per concern; build them with {@link SettingsLoader}. */
public record Settings(ListenerSettings tftp, TransferSettings transfer, FirmwareSettings firmware, HttpSettings http,
                       AuditSettings audit, ShutdownSettings shutdown) {
    public Settings {
        Objects.requireNonNull(tftp, "tftp");
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(firmware, "firmware");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(shutdown, "shutdown");
    }

    /**
     * The full keys ({@code floorflash.tftp.port}) whose values differ between {@code before} and {@code after} and
     * take effect only after a restart: addresses, ports, sockets, thread pools, the cache, the audit file (see {@link
     * Key#restartOnly()}). A reload applies the rest (rules, roster, hooks, checksums, per-transfer policy) and says
     * these need a restart; empty when none changed.
     */
    public static List<String> restartNeeded(Settings before, Settings after) {
        List<String> changed = new ArrayList<>();
        for (Key<?> key : Key.all()) {
            if (key.restartOnly() && !Objects.equals(key.valueIn(before), key.valueIn(after))) {
                changed.add(key.name());
            }
        }
        return changed;
    }
}

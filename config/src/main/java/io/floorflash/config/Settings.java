package io.floorflash.config;

import java.util.Objects;

/** All of floorflash's settings, one record per concern; build them with {@link SettingsLoader}. */
public record Settings(ListenerSettings tftp, TransferSettings transfer, FirmwareSettings firmware, HttpSettings http,
                       AuditSettings audit, ShutdownSettings shutdown, UploadSettings uploads,
                       ProvisioningSettings provisioning, ReloadSettings reload,
                       HookSettings hooks, OriginSettings origin) {
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
        Objects.requireNonNull(origin, "origin");
    }
}

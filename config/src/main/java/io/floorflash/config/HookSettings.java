package io.floorflash.config;

import java.util.Objects;
import java.util.Set;

/** Who is told of finished transfers besides the log: for now the webhook. */
public record HookSettings(WebhookSettings webhook) {
    public HookSettings {
        Objects.requireNonNull(webhook, "webhook");
    }

    /** Reads {@code floorflash.hooks}. */
    static HookSettings read(ConfigReader in) {
        in.onlyKeys(Set.of("webhook"));
        WebhookSettings webhook = WebhookSettings.read(in.at("webhook"));
        return in.build(() -> new HookSettings(webhook));
    }
}

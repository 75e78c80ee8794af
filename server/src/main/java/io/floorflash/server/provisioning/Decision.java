package io.floorflash.server.provisioning;

import io.floorflash.config.GroupSettings;
import io.floorflash.config.RuleSettings;
import io.floorflash.server.firmware.FirmwareName;
import java.util.Map;

/**
 * What the rules decide for one request: serve a file, deny it, or render a file for the device. {@code rule} is the
 * rule that matched, or null when none did (then the name is served as asked, from the group's release); {@code group}
 * is the client's group, or null.
 */
public sealed interface Decision permits Decision.Serve, Decision.Deny, Decision.Render {
    FirmwareName requested();

    RuleSettings rule();

    GroupSettings group();

    /** Serves {@code served}, a name below the firmware root. */
    record Serve(FirmwareName requested, FirmwareName served, RuleSettings rule, GroupSettings group) implements Decision {
    }

    /** Refuses with ERROR 2 and {@code text}. */
    record Deny(FirmwareName requested, String text, RuleSettings rule, GroupSettings group) implements Decision {
    }

    /**
     * Renders {@code action}'s template for the device {@code mac}; {@code fallback} (a name below the root, or null
     * for ERROR 1) when the inventory does not list it; {@code values} are the rule's captures and built-in values.
     */
    record Render(FirmwareName requested, String mac, Map<String, String> values, FirmwareName fallback,
                  RuleSettings.Render action, RuleSettings rule, GroupSettings group) implements Decision {
    }
}

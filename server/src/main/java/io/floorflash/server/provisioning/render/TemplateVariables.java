package io.floorflash.server.provisioning.render;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The variables a template sees for one device, lowest first: the rule's captures from the requested name, then the
 * device's columns from the inventory (the operator's data wins over text a client chose), then the MAC's forms:
 * <ul>
 * <li>{@code mac}: {@code 000413a11fa7}; {@code MAC}: {@code 000413A11FA7} (Snom's file names)</li>
 * <li>{@code mac_colons}: {@code 00:04:13:a1:1f:a7}; {@code MAC_colons}: {@code 00:04:13:A1:1F:A7}</li>
 * <li>{@code mac_dashes}: {@code 00-04-13-a1-1f-a7}; {@code MAC_dashes}: {@code 00-04-13-A1-1F-A7}</li>
 * </ul>
 */
final class TemplateVariables {
    /** Names an inventory column may not take (compared ignoring case); {@code mac} is the MAC column itself. */
    private static final Set<String> RESERVED = Set.of("mac_colons", "mac_dashes");

    private TemplateVariables() {
    }

    static boolean isReserved(String column) {
        return RESERVED.contains(column.toLowerCase(Locale.ROOT));
    }

    static Map<String, Object> of(MacAddress mac, Map<String, String> device, Map<String, String> captures) {
        Map<String, Object> scope = new HashMap<>(captures);
        scope.putAll(device);
        scope.put("mac", mac.plain());
        scope.put("MAC", mac.upper());
        scope.put("mac_colons", mac.colons());
        scope.put("MAC_colons", mac.colons().toUpperCase(Locale.ROOT));
        scope.put("mac_dashes", mac.dashes());
        scope.put("MAC_dashes", mac.dashes().toUpperCase(Locale.ROOT));
        return scope;
    }
}

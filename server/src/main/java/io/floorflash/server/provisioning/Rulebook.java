package io.floorflash.server.provisioning;

import io.floorflash.config.GroupSettings;
import io.floorflash.config.PathTemplate;
import io.floorflash.config.ProvisioningSettings;
import io.floorflash.config.RuleSettings;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareName;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * One version of the rules and groups, deciding requests: pure and quick (the rules' patterns and nothing else, no
 * file system), so it runs on the listener's loop. Immutable; a reload builds a new one.
 */
public final class Rulebook {
    /** No rules and no groups: every name served as asked. */
    public static final Rulebook NONE = new Rulebook(ProvisioningSettings.NONE);

    private final ProvisioningSettings settings;

    public Rulebook(ProvisioningSettings settings) {
        this.settings = settings;
    }

    /**
     * The decision for {@code requested} from {@code client} (null when its address is not known: then only rules for
     * every client apply, and no group).
     *
     * @throws FirmwareException (ERROR 2) when the requested name, or the name a rule makes of it, breaks the path
     *                           rules (a capture holding {@code ..}, say)
     */
    public Decision decide(InetAddress client, String requested) {
        FirmwareName name = FirmwareName.of(requested);
        GroupSettings group = settings.groupOf(client);
        for (RuleSettings rule : settings.rules()) {
            if (!rule.clients().matches(client)) {
                continue;
            }
            Matcher matcher = rule.name().match(name.relative()).orElse(null);
            if (matcher == null) {
                continue;
            }
            Function<String, String> values = values(matcher, client, name, group);
            RuleSettings.Action action = rule.action();
            if (action instanceof RuleSettings.Serve serve) {
                return new Decision.Serve(name, served(serve.path(), values, rule), rule, group);
            } else if (action instanceof RuleSettings.Deny deny) {
                return new Decision.Deny(name, deny.text(), rule, group);
            } else if (action instanceof RuleSettings.Render render) {
                Map<String, String> captured = new HashMap<>();
                for (int i = 1; i <= matcher.groupCount(); i++) {
                    captured.put(String.valueOf(i), matcher.group(i) == null ? "" : matcher.group(i));
                }
                for (String named : rule.name().named()) {
                    captured.put(named, matcher.group(named) == null ? "" : matcher.group(named));
                }
                captured.put("release", group == null ? "" : group.release());
                captured.put("client", client == null ? "" : client.getHostAddress());
                captured.put("file", name.relative());
                FirmwareName fallback = render.fallback() == null ? null : served(render.fallback(), values, rule);
                return new Decision.Render(name, values.apply(render.mac()), Map.copyOf(captured), fallback, render,
                        rule, group);
            } else {
                throw new AssertionError(action);
            }
        }
        if (group != null && !group.release().isEmpty()) {
            return new Decision.Serve(name, FirmwareName.of(group.release() + "/" + name.relative()), null, group);
        }
        return new Decision.Serve(name, name, null, group);
    }

    private static Function<String, String> values(Matcher matcher, InetAddress client, FirmwareName name,
                                                   GroupSettings group) {
        return reference -> {
            switch (reference) {
                case "release":
                    return group == null ? "" : group.release();
                case "client":
                    return client == null ? "" : client.getHostAddress();
                case "file":
                    return name.relative();
                default:
                    String value = reference.chars().allMatch(Character::isDigit)
                            ? matcher.group(Integer.parseInt(reference)) : matcher.group(reference);
                    return value == null ? "" : value;
            }
        };
    }

    /** The rule's path with the captures substituted, made safe by the path rules. */
    private static FirmwareName served(PathTemplate path, Function<String, String> values, RuleSettings rule) {
        String expanded = path.expand(values);
        try {
            return FirmwareName.of(expanded);
        } catch (FirmwareException e) {
            throw new FirmwareException(e.code(), e.getMessage() + " (made by " + rule.label() + ")");
        }
    }
}

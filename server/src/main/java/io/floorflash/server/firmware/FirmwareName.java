package io.floorflash.server.firmware;

import io.floorflash.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A requested file name made safe, before the file system is asked anything: a leading {@code /} means the root
 * (clients send it), backslashes count as {@code /}, empty and {@code .} components are dropped, and {@code ..},
 * NUL and control characters, undecodable bytes and drive letters are refused with ERROR 2. Symbolic links are
 * checked later, by the store, against the real path of the root.
 *
 * @param relative the name below the root, components joined with {@code /}
 */
public record FirmwareName(String relative) {
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:");

    /**
     * Checks and normalizes {@code requested}.
     *
     * @throws FirmwareException (ERROR 2) when the name may not be served
     */
    public static FirmwareName of(String requested) {
        for (int i = 0; i < requested.length(); i++) {
            char c = requested.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '\uFFFD') {
                throw refused(requested, "contains a control character or undecodable byte");
            }
        }
        String slashed = requested.replace('\\', '/');
        if (DRIVE.matcher(slashed).find()) {
            throw refused(requested, "names a drive; ask for a path below the server root");
        }
        List<String> components = new ArrayList<>();
        for (String component : slashed.split("/")) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                throw refused(requested, "contains '..'; only files below the server root are served");
            }
            components.add(component);
        }
        if (components.isEmpty()) {
            throw refused(requested, "names no file");
        }
        return new FirmwareName(String.join("/", components));
    }

    /** The path below {@code root}; lexically inside it, links not yet resolved. */
    public Path resolveUnder(Path root) {
        return root.resolve(relative);
    }

    @Override
    public String toString() {
        return relative;
    }

    private static FirmwareException refused(String requested, String why) {
        return new FirmwareException(ErrorCode.ACCESS_VIOLATION, "Access violation: '" + printable(requested) + "' " + why);
    }

    private static String printable(String value) {
        StringBuilder sb = new StringBuilder(Math.min(value.length(), 128));
        for (int i = 0; i < value.length() && i < 128; i++) {
            char c = value.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return sb.toString();
    }
}

package io.floorflash.server.secrets;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A file holding a secret (the operator token, S3 keys, webhook headers): read whole, at start or reload, only when it
 * is a regular file no other user may read or write (group access is the administrator's choice) and small. Every
 * refusal names the setting, the file and the remedy, never the content.
 */
public final class PrivateFile {
    private PrivateFile() {
    }

    /**
     * The bytes of {@code file}. Blocking.
     *
     * @param where    the start of every message: {@code "floorflash.http.token-file: /etc/...: "}
     * @param maxBytes a larger file is refused (a secret is small; this is the wrong file)
     * @param expected what the file should hold, for a file too large ({@code "expected: one token ..."})
     * @param remedy   how to make the file, added to "no such file" and "not a regular file"; "" for none
     * @throws IllegalStateException when the file is missing, not regular, open to other users, too large or unreadable
     */
    public static byte[] read(Path file, String where, long maxBytes, String expected, String remedy) {
        String howTo = remedy.isEmpty() ? "" : " (" + remedy + ")";
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(where + (Files.exists(file) ? "not a regular file" : "no such file")
                        + howTo);
            }
            checkPrivate(file, where);
            if (Files.size(file) > maxBytes) {
                throw new IllegalStateException(where + "larger than " + maxBytes + " bytes (" + expected + ")");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(where + "no such file" + howTo, e);
        } catch (AccessDeniedException e) {
            throw new IllegalStateException(where + "this user may not read it (give the service's user read access,"
                    + " or hand it over with systemd's LoadCredential=)", e);
        } catch (IOException e) {
            throw new IllegalStateException(where + "cannot be read: " + e.getMessage(), e);
        }
    }

    /** Refuses a file other users may read or write. */
    private static void checkPrivate(Path file, String where) throws IOException {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: its access control is not modes
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IllegalStateException(where + "other users may read or write it ("
                    + PosixFilePermissions.toString(permissions) + "); make it private: chmod 600 " + file);
        }
    }
}

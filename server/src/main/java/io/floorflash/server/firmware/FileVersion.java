package io.floorflash.server.firmware;

import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One version of a file on disk: its real path, size, modification time and inode. A file replaced on disk (copied
 * over, or renamed into place) gets a new version, so new transfers get the new bytes.
 */
public record FileVersion(Path realPath, long size, long modifiedNanos, Object fileKey) {
    public static FileVersion of(Path realPath, BasicFileAttributes attributes) {
        long modified = attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        return new FileVersion(realPath, attributes.size(), modified, attributes.fileKey());
    }
}

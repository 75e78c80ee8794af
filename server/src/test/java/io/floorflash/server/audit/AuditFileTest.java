package io.floorflash.server.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditFileTest {
    @TempDir
    Path dir;

    private final List<String> told = new ArrayList<>();
    private final AuditFile.Lines lines = new AuditFile.Lines() {
        @Override
        public void written() {
            told.add("written");
        }

        @Override
        public void lost(IOException cause) {
            told.add("lost: " + cause.getMessage());
        }
    };

    @Test
    void appendsEachLineToWhatTheFileHeld() throws IOException {
        Path path = Files.writeString(dir.resolve("audit.jsonl"), "{\"old\":1}\n");

        try (AuditFile file = new AuditFile(new RandomAccessFile(path.toFile(), "rw"), lines)) {
            file.write(line("{\"new\":2}"));
        }

        assertThat(Files.readString(path, UTF_8)).isEqualTo("{\"old\":1}\n{\"new\":2}\n");
        assertThat(told).containsExactly("written");
    }

    @Test
    void everyLineADeviceWithNoSpaceRefusesIsToldAsLostAndNothingIsThrown() throws IOException {
        Path full = Path.of("/dev/full");
        assertThat(full).as("Linux's always-full device").exists();

        try (AuditFile file = new AuditFile(new RandomAccessFile(full.toFile(), "rw"), lines)) {
            for (int i = 0; i < 3; i++) {
                file.write(line("{\"n\":" + i + "}"));
            }
        }

        assertThat(told).hasSize(3).allSatisfy(outcome -> assertThat(outcome).startsWith("lost: No space left on device"));
    }

    @Test
    void aLineCutShortByAFullDiskIsTakenOutAgainAndLinesGoOnOnceThereIsRoom() throws IOException {
        Path path = dir.resolve("audit.jsonl");
        Disk disk = new Disk(path, 25);

        try (AuditFile file = new AuditFile(disk, lines)) {
            file.write(line("{\"line\":\"one\"}"));
            file.write(line("{\"line\":\"two\"}"));
            assertThat(Files.readString(path, UTF_8)).as("no half line left").isEqualTo("{\"line\":\"one\"}\n");
            disk.room = 1000;
            file.write(line("{\"line\":\"three\"}"));
        }

        assertThat(Files.readString(path, UTF_8)).isEqualTo("{\"line\":\"one\"}\n{\"line\":\"three\"}\n");
        assertThat(told).containsExactly("written", "lost: No space left on device", "written");
    }

    private static byte[] line(String json) {
        return (json + "\n").getBytes(UTF_8);
    }

    /** A file on a disk with {@code room} bytes left: a longer write puts what fits, then fails as write(2) does. */
    private static final class Disk extends RandomAccessFile {
        int room;

        Disk(Path path, int room) throws IOException {
            super(path.toFile(), "rw");
            this.room = room;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length > room) {
                super.write(bytes, offset, room);
                room = 0;
                throw new IOException("No space left on device");
            }
            super.write(bytes, offset, length);
            room -= length;
        }
    }
}

package io.floorflash.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floorflash.config.UploadSettings;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.server.firmware.FirmwareName;
import io.floorflash.server.transfer.RefusalReason;
import io.floorflash.server.transfer.UploadSink;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadFilesTest {
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;
    private UploadFiles files;

    @AfterEach
    void close() {
        if (files != null) {
            files.close();
        }
    }

    private UploadFiles open(boolean overwrite) throws IOException {
        Files.createDirectories(dir.resolve("firmware"));
        files = UploadFiles.open(new UploadSettings(true, dir.resolve("uploads"), 1 << 20, overwrite, 1, 1 << 16),
                dir.resolve("firmware"));
        return files;
    }

    private static UploadSink prepared(CompletableFuture<UploadSink> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static String store(UploadSink sink, String content) throws Exception {
        CompletableFuture<IOException> written = new CompletableFuture<>();
        sink.write(new ByteBuffer[] {ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8))}, written::complete);
        assertThat(written.get(10, TimeUnit.SECONDS)).isNull();
        CompletableFuture<String> committed = new CompletableFuture<>();
        sink.commit((digest, failure) -> {
            if (failure != null) {
                committed.completeExceptionally(failure);
            } else {
                committed.complete(digest);
            }
        });
        return committed.get(10, TimeUnit.SECONDS);
    }

    private List<String> namesIn(Path folder) throws IOException {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void writesBesideTheDestinationUnderAHiddenNameAndRenamesIntoPlace() throws Exception {
        open(false);
        UploadSink sink = prepared(files.prepare(CLIENT, FirmwareName.of("/logs/phone.log")));
        Path folder = dir.resolve("uploads/127.0.0.1/logs");

        assertThat(namesIn(folder)).singleElement().asString().startsWith(".phone.log" + UploadFiles.TEMP_MARK);
        String digest = store(sink, "abc");

        assertThat(namesIn(folder)).containsExactly("phone.log");
        assertThat(folder.resolve("phone.log")).hasContent("abc");
        assertThat(digest).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aStartDeletesTheTemporaryFilesAKilledRunLeftAndNothingElse() throws Exception {
        Path client = Files.createDirectories(dir.resolve("uploads/10.0.0.7/logs"));
        Files.writeString(client.resolve(".phone.cfg" + UploadFiles.TEMP_MARK + "123"), "half an upload");
        Files.writeString(client.resolve("phone.cfg"), "a whole one");
        Files.writeString(dir.resolve("uploads/10.0.0.7/.boot.log" + UploadFiles.TEMP_MARK + "9"), "another half");

        open(false);

        assertThat(namesIn(client)).containsExactly("phone.cfg");
        assertThat(namesIn(dir.resolve("uploads/10.0.0.7"))).containsExactly("logs");
    }

    @Test
    void discardDeletesTheTemporaryFile() throws Exception {
        open(false);
        UploadSink sink = prepared(files.prepare(CLIENT, FirmwareName.of("a.bin")));

        sink.discard();
        files.close();

        assertThat(namesIn(dir.resolve("uploads/127.0.0.1"))).isEmpty();
    }

    @Test
    void refusesAnExistingNameUnlessOverwritingIsAllowed() throws Exception {
        open(false);
        store(prepared(files.prepare(CLIENT, FirmwareName.of("a.cfg"))), "one");

        assertThatThrownBy(() -> files.prepare(CLIENT, FirmwareName.of("a.cfg")).join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOfSatisfying(UploadRefusal.class, refusal -> {
                    assertThat(refusal.error().code()).isEqualTo(ErrorCode.FILE_EXISTS.code());
                    assertThat(refusal.reason()).isEqualTo(RefusalReason.FILE_EXISTS);
                });
    }

    @Test
    void aNameTakenAfterThePreparationIsNotReplaced() throws Exception {
        open(false);
        UploadSink first = prepared(files.prepare(CLIENT, FirmwareName.of("race.cfg")));
        UploadSink second = prepared(files.prepare(CLIENT, FirmwareName.of("race.cfg")));
        store(first, "first");

        assertThatThrownBy(() -> store(second, "second")).hasCauseInstanceOf(FileAlreadyExistsException.class);
        assertThat(dir.resolve("uploads/127.0.0.1/race.cfg")).hasContent("first");
        assertThat(namesIn(dir.resolve("uploads/127.0.0.1"))).containsExactly("race.cfg");
    }

    @Test
    void replacesAFileWhenAllowed() throws Exception {
        open(true);
        store(prepared(files.prepare(CLIENT, FirmwareName.of("a.cfg"))), "one");
        store(prepared(files.prepare(CLIENT, FirmwareName.of("a.cfg"))), "two");

        assertThat(dir.resolve("uploads/127.0.0.1/a.cfg")).hasContent("two");
    }

    @Test
    void refusesAFolderOnTheWayThatIsASymbolicLink() throws Exception {
        open(false);
        Files.createDirectories(dir.resolve("uploads/127.0.0.1"));
        Files.createSymbolicLink(dir.resolve("uploads/127.0.0.1/out"), dir.resolve("firmware"));

        assertThatThrownBy(() -> files.prepare(CLIENT, FirmwareName.of("out/x.bin")).join())
                .cause().isInstanceOfSatisfying(UploadRefusal.class,
                        refusal -> assertThat(refusal.error().code()).isEqualTo(ErrorCode.ACCESS_VIOLATION.code()));
        assertThat(namesIn(dir.resolve("firmware"))).isEmpty();
    }

    @Test
    void refusesAClientFolderThatIsASymbolicLink() throws Exception {
        open(false);
        Files.createSymbolicLink(dir.resolve("uploads/127.0.0.1"), dir.resolve("firmware"));

        assertThatThrownBy(() -> files.prepare(CLIENT, FirmwareName.of("x.bin")).join()).cause()
                .isInstanceOf(UploadRefusal.class);
    }

    @Test
    void refusesToStartWhenTheRootsNestThroughALink() throws IOException {
        Path firmware = Files.createDirectories(dir.resolve("firmware"));
        Files.createSymbolicLink(dir.resolve("link"), firmware);

        assertThatThrownBy(() -> UploadFiles.open(new UploadSettings(true, dir.resolve("link/uploads"), 1, false, 1, 1 << 16),
                firmware)).isInstanceOf(IOException.class).hasMessageContaining("nest");
    }

    @Test
    void namesAnIpv6ClientsFolderSafely() throws Exception {
        assertThat(UploadFiles.folderOf(InetAddress.getByName("fe80::1%1"))).isEqualTo("fe80-0-0-0-0-0-0-1_1");
        assertThat(UploadFiles.folderOf(InetAddress.getByName("2001:db8::7"))).isEqualTo("2001-db8-0-0-0-0-0-7");
        assertThat(UploadFiles.folderOf(InetAddress.getByName("10.0.5.17"))).isEqualTo("10.0.5.17");
    }
}

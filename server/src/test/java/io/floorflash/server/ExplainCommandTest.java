package io.floorflash.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExplainCommandTest {
    @TempDir
    Path dir;
    private Path root;
    private Path config;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void folders() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("releases/b"));
        Files.createDirectories(root.resolve("releases/10.1.2"));
        Files.write(root.resolve("releases/b/snom320.bin"), "release b".getBytes(UTF_8));
        Files.write(root.resolve("releases/10.1.2/snom820.bin"), "release 10.1.2".getBytes(UTF_8));
        Files.write(root.resolve("snom820.bin"), "the root's".getBytes(UTF_8));
        config = dir.resolve("floorflash.conf");
        write("floorflash.rules = [ { clients = [\"127.0.0.2\", \"Floor 5\"], file = \"snom(\\\\d+)\\\\.bin\","
                + " serve = \"releases/b/snom$1.bin\" }, { glob = \"private/*\", deny = \"not served here\" } ]\n"
                + "floorflash.groups = [ { name = \"canary\", clients = [\"10.0.6.0/24\"], release = \"releases/10.1.2\" } ]\n");
    }

    private void write(String more) throws IOException {
        Files.writeString(config, "floorflash.firmware.root = \"" + root + "\"\n"
                + "floorflash.http.floor.roster = [ { address = \"10.0.5.0/24\", name = \"Floor 5\" } ]\n" + more, UTF_8);
    }

    private int explain(String... args) {
        CommandLine line = new CommandLine(new Main());
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = "explain";
        all[1] = "--config";
        all[2] = config.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return line.execute(all);
    }

    @Test
    void namesTheRuleTheFileAndItsDigest() throws Exception {
        assertThat(explain("--client", "10.0.5.17", "/snom320.bin")).isZero();

        assertThat(out.toString()).contains("client:   10.0.5.17 (roster: Floor 5)",
                "request:  /snom320.bin",
                "rule:     floorflash.rules[0] {\"clients\":[\"127.0.0.2\",\"Floor 5\"]",
                "action:   serve releases/b/snom320.bin",
                "file:     " + root.resolve("releases/b/snom320.bin") + ", 9 bytes",
                "sha256:   " + sha256("release b"),
                "result:   served");
    }

    @Test
    void aGroupsClientGetsItsRelease() throws Exception {
        assertThat(explain("--client", "10.0.6.9", "snom820.bin")).isZero();

        assertThat(out.toString()).contains("group 'canary' (release releases/10.1.2)", "rule:     none matches",
                "action:   serve releases/10.1.2/snom820.bin", "sha256:   " + sha256("release 10.1.2"));
    }

    @Test
    void saysWhyARequestIsRefused() throws IOException {
        assertThat(explain("--client", "10.0.9.9", "private/keys.txt")).isZero();
        assertThat(out.toString()).contains("rule:     floorflash.rules[1]", "action:   deny",
                "refused:  ERROR 2 \"not served here\"");

        out.getBuffer().setLength(0);
        assertThat(explain("--client", "10.0.5.9", "snom999.bin")).isZero();
        assertThat(out.toString()).contains("refused:  ERROR 1 \"File not found: releases/b/snom999.bin\"");

        out.getBuffer().setLength(0);
        assertThat(explain("--client", "10.0.9.9", "../etc/passwd")).isZero();
        assertThat(out.toString()).contains("refused:  ERROR 2", "contains '..'");

        Files.writeString(root.resolve("releases/b/SHA256SUMS"), "0".repeat(64) + "  snom320.bin\n");
        out.getBuffer().setLength(0);
        assertThat(explain("--client", "10.0.5.9", "snom320.bin")).isZero();
        assertThat(out.toString()).contains("refused:  ERROR 0 \"releases/b/snom320.bin failed its checksum");
    }

    @Test
    void aBrokenConfigurationExitsNonZeroListingEveryProblem() throws IOException {
        write("floorflash.rules = [ { file = \"snom(\", serve = \"x\" }, { clients = [\"Flor 5\"], deny = \"no\" } ]\n");

        assertThat(explain("--client", "10.0.5.1", "snom320.bin")).isEqualTo(2);

        assertThat(err.toString()).contains("floorflash.rules[0].file: 'snom('",
                "floorflash.rules[1].clients[0]: 'Flor 5'", "did you mean 'Floor 5'?");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aNameOnlyTheOriginHasIsPulledFromIt() throws IOException {
        write("floorflash.firmware.origin.url = \"https://repo.example.com/firmware/\"\n"
                + "floorflash.firmware.cache-dir = \"" + dir.resolve("cache") + "\"\n");

        assertThat(explain("--client", "10.0.9.9", "snom999.bin")).isZero();

        assertThat(out.toString()).contains("origin:   not below the root; the server pulls it from"
                + " https://repo.example.com/firmware/ (or serves its cached copy from " + dir.resolve("cache") + ")");
    }

    @Test
    void refusesAClientThatIsNoAddress() {
        assertThat(explain("--client", "phone.example.com", "snom320.bin")).isEqualTo(2);
        assertThat(err.toString()).contains("--client 'phone.example.com' (expected: an IPv4 or IPv6 address)");
    }

    private static String sha256(String content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(UTF_8)));
    }
}

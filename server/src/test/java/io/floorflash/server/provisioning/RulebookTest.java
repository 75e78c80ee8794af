package io.floorflash.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.floorflash.config.Overrides;
import io.floorflash.config.SettingsLoader;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.server.firmware.FirmwareException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulebookTest {
    @TempDir
    Path root;

    private Rulebook rules(String hocon) throws IOException {
        Files.createDirectories(root.resolve("releases/10.1.2"));
        Files.createDirectories(root.resolve("releases/10.1.1"));
        return new Rulebook(SettingsLoader.parse(hocon
                        + "\nfloorflash.firmware.root = \"" + root + "\""
                        + "\nfloorflash.http.floor.roster = [ { address = \"10.0.5.0/24\", name = \"Floor 5\" } ]",
                Overrides.none()).provisioning());
    }

    private static InetAddress ip(String literal) throws IOException {
        return InetAddress.getByName(literal);
    }

    @Test
    void withoutRulesEveryNameIsServedAsAskedAfterThePathRules() throws IOException {
        Decision decision = Rulebook.NONE.decide(ip("10.0.0.1"), "/fw\\snom320.bin");

        assertThat(decision).isInstanceOf(Decision.Serve.class);
        assertThat(((Decision.Serve) decision).served().relative()).isEqualTo("fw/snom320.bin");
        assertThat(decision.rule()).isNull();
    }

    @Test
    void theFirstMatchingRuleDecides() throws IOException {
        Rulebook book = rules("floorflash.rules = ["
                + " { clients = [\"Floor 5\"], file = \"snom(?<model>\\\\d+)\\\\.bin\", serve = \"releases/10.1.2/snom${model}.bin\" },"
                + " { file = \"snom(\\\\d+)\\\\.bin\", serve = \"releases/10.1.1/snom$1.bin\" },"
                + " { glob = \"**\", deny = \"nothing else\" } ]");

        assertThat(served(book.decide(ip("10.0.5.3"), "snom320.bin"))).isEqualTo("releases/10.1.2/snom320.bin");
        assertThat(served(book.decide(ip("10.0.6.3"), "snom320.bin"))).isEqualTo("releases/10.1.1/snom320.bin");
        Decision other = book.decide(ip("10.0.5.3"), "snom320.cfg");
        assertThat(other).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny) other).text()).isEqualTo("nothing else");
        assertThat(other.rule().index()).isEqualTo(2);
        assertThat(served(book.decide(null, "snom320.bin"))).as("an unknown client skips client rules")
                .isEqualTo("releases/10.1.1/snom320.bin");
    }

    @Test
    void aCaptureCannotClimbOutOfTheRoot() throws IOException {
        // The name "..-passwd" is one harmless component, but its captures make "../passwd".
        Rulebook book = rules("floorflash.rules = [ { file = \"(.*)-(.*)\", serve = \"$1/$2\" } ]");

        FirmwareException refused = catchThrowableOfType(() -> book.decide(ip("10.0.0.1"), "..-passwd"),
                FirmwareException.class);

        assertThat(refused.code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refused.getMessage()).contains("contains '..'", "made by floorflash.rules[0]");
    }

    @Test
    void aGroupsClientsAreServedFromItsReleaseUnlessARuleSaysOtherwise() throws IOException {
        Rulebook book = rules("floorflash.groups = [ { name = \"canary\", clients = [\"Floor 5\"], release = \"releases/10.1.2\" },"
                + " { name = \"rest\", clients = [\"0.0.0.0/0\"], release = \"releases/10.1.1\" } ]\n"
                + "floorflash.rules = [ { name = \"common.cfg\", serve = \"common.cfg\" },"
                + " { glob = \"cfg/*\", serve = \"${release}/config/$1\" } ]");

        Decision canary = book.decide(ip("10.0.5.7"), "snom320.bin");
        assertThat(served(canary)).isEqualTo("releases/10.1.2/snom320.bin");
        assertThat(canary.group().name()).isEqualTo("canary");
        assertThat(served(book.decide(ip("10.9.9.9"), "snom320.bin"))).isEqualTo("releases/10.1.1/snom320.bin");
        assertThat(served(book.decide(ip("10.0.5.7"), "common.cfg"))).isEqualTo("common.cfg");
        assertThat(served(book.decide(ip("10.0.5.7"), "cfg/a.xml"))).isEqualTo("releases/10.1.2/config/a.xml");
        assertThat(served(book.decide(ip("::1"), "snom320.bin"))).as("no group lists an IPv6 client")
                .isEqualTo("snom320.bin");
    }

    @Test
    void ignoreCaseAndCaseFoldingMapAnyCaseToTheFilesOnDisk() throws IOException {
        Rulebook book = rules("floorflash.rules = [ { file = \"(.*)\", ignore-case = true, serve = \"${1:lower}\" } ]");

        assertThat(served(book.decide(ip("10.0.0.1"), "SNOM320.BIN"))).isEqualTo("snom320.bin");
    }

    private static String served(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Serve.class);
        return ((Decision.Serve) decision).served().relative();
    }
}

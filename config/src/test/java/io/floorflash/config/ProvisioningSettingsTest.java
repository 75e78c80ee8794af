package io.floorflash.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisioningSettingsTest {
    @TempDir
    Path dir;

    private Settings load(String hocon) throws IOException {
        Files.createDirectories(dir.resolve("root/releases/10.1.2"));
        Path file = dir.resolve("floorflash.conf");
        Files.writeString(file, "floorflash.firmware.root = \"" + dir.resolve("root") + "\"\n"
                + "floorflash.http.floor.roster = [ { address = \"10.0.5.0/24\", name = \"Floor 5\" },"
                + " { address = \"10.0.6.0/24\", name = \"Floor 6\" } ]\n" + hocon, UTF_8);
        return SettingsLoader.load(file, Map.of());
    }

    private SettingsException problems(String hocon) {
        return catchThrowableOfType(() -> load(hocon), SettingsException.class);
    }

    @Test
    void noRulesAndNoGroupsByDefault() {
        assertThat(SettingsLoader.load(null, Map.of()).provisioning()).isEqualTo(ProvisioningSettings.NONE);
    }

    @Test
    void readsTheContractsExample() throws IOException {
        Settings settings = load("floorflash.rules = [ { clients = [\"127.0.0.2\", \"10.0.5.0/24\", \"Floor 5\"],"
                + " file = \"snom(\\\\d+)\\\\.bin\", serve = \"releases/b/snom$1.bin\" },"
                + " { glob = \"private/*\", deny = \"not served here\" } ]");

        RuleSettings first = settings.provisioning().rules().get(0);
        assertThat(first.clients().matches(InetAddress.getByName("127.0.0.2"))).isTrue();
        assertThat(first.clients().matches(InetAddress.getByName("10.0.5.77"))).isTrue();
        assertThat(first.clients().matches(InetAddress.getByName("10.0.6.1"))).isFalse();
        assertThat(first.name().match("snom320.bin")).hasValueSatisfying(m -> assertThat(m.group(1)).isEqualTo("320"));
        assertThat(first.name().match("xsnom320.bin")).isEmpty();
        assertThat(((RuleSettings.Serve) first.action()).path().expand(ref -> ref.equals("1") ? "320" : "?"))
                .isEqualTo("releases/b/snom320.bin");
        assertThat(first.text()).contains("snom(\\\\d+)");

        RuleSettings second = settings.provisioning().rules().get(1);
        assertThat(second.clients()).isEqualTo(Clients.ANY);
        assertThat(second.name().match("private/keys.txt")).isPresent();
        assertThat(second.name().match("private/a/b")).isEmpty();
        assertThat(second.action()).isEqualTo(new RuleSettings.Deny("not served here"));
    }

    @Test
    void globWildcardsAreCaptures() {
        NameMatch glob = NameMatch.glob("fw/**/snom?*.bin", false);

        assertThat(glob.groups()).isEqualTo(3);
        assertThat(glob.match("fw/a/b/snom320.bin")).hasValueSatisfying(m -> {
            assertThat(m.group(1)).isEqualTo("a/b");
            assertThat(m.group(2)).isEqualTo("3");
            assertThat(m.group(3)).isEqualTo("20");
        });
        assertThat(NameMatch.glob("a.b", false).match("aXb")).isEmpty();
    }

    @Test
    void caseFoldingAndPrefixStrippingAreExpressible() throws IOException {
        Settings settings = load("floorflash.rules = [ { file = \"tftpboot/(.*)\", serve = \"$1\" },"
                + " { file = \"(.*)\", ignore-case = true, serve = \"${1:lower}\" } ]");

        RuleSettings strip = settings.provisioning().rules().get(0);
        RuleSettings fold = settings.provisioning().rules().get(1);
        assertThat(((RuleSettings.Serve) strip.action()).path().expand(r -> "snom320.bin")).isEqualTo("snom320.bin");
        assertThat(((RuleSettings.Serve) fold.action()).path().expand(r -> "SNOM320.BIN")).isEqualTo("snom320.bin");
    }

    @Test
    void reportsEveryProblemOfEveryRuleAtOnce() {
        SettingsException e = problems("floorflash.rules = ["
                + " { file = \"snom(\\\\d+.bin\", serve = \"x\" },"
                + " { file = \"snom(\\\\d+)\\\\.bin\", serve = \"releases/$2/snom$1.bin\" },"
                + " { glob = \"a*\", serve = \"x\", deny = \"no\" },"
                + " { clients = [\"Flor 5\"], name = \"x\", deny = \"no\" },"
                + " { nmae = \"x\", deny = \"no\" },"
                + " { name = \"x\" } ]");

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("floorflash.rules[0].file: 'snom(\\d+.bin'")
                        .contains("Unclosed group"))
                .anySatisfy(p -> assertThat(p).startsWith("floorflash.rules[1].serve: 'releases/$2/snom$1.bin' refers"
                        + " to '2'"))
                .anySatisfy(p -> assertThat(p).isEqualTo("floorflash.rules[2]: has serve and deny (expected: one of"
                        + " serve, deny, render)"))
                .anySatisfy(p -> assertThat(p).startsWith("floorflash.rules[3].clients[0]: 'Flor 5'")
                        .contains("did you mean 'Floor 5'?"))
                .anySatisfy(p -> assertThat(p).isEqualTo("floorflash.rules[4].nmae: unknown key (did you mean 'name'?)"))
                .anySatisfy(p -> assertThat(p).isEqualTo("floorflash.rules[5]: no action (expected: one of serve, deny,"
                        + " render)"));
    }

    @Test
    void aGroupsReleaseMustBeAFolderBelowTheRoot() throws IOException {
        Settings settings = load("floorflash.groups = [ { name = \"canary\", clients = [\"Floor 5\"],"
                + " release = \"releases/10.1.2/\" } ]");
        assertThat(settings.provisioning().groups()).singleElement().satisfies(g -> {
            assertThat(g.release()).isEqualTo("releases/10.1.2");
            assertThat(g.clients().matches(InetAddress.getByName("10.0.5.9"))).isTrue();
        });

        SettingsException e = problems("floorflash.groups = ["
                + " { name = \"canary\", clients = [\"Floor 5\"], release = \"releases/10.1.3\" },"
                + " { name = \"canary\", clients = [\"Floor 6\"], release = \"../etc\" },"
                + " { name = \"rest\" } ]");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("floorflash.groups[0].release:"
                        + " 'releases/10.1.3' (expected: a folder below the firmware root"))
                .anySatisfy(p -> assertThat(p).startsWith("floorflash.groups[1].release: '../etc'"))
                .anySatisfy(p -> assertThat(p).startsWith("floorflash.groups[2].clients: missing"));
    }

    @Test
    void aRenderRuleNeedsItsMacCapture() {
        SettingsException e = problems("floorflash.rules = [ { file = \"snomD345-([0-9A-F]{12})\\\\.htm\","
                + " render { template = \"t.mustache\", inventory = \"i.csv\", mac = 2, escape = json } } ]");

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("floorflash.rules[0].render.mac: '2'"))
                .anySatisfy(p -> assertThat(p).startsWith("floorflash.rules[0].render.escape: 'json'"));
    }

    @Test
    void pathTemplatesRejectMalformedReferences() {
        assertThat(catchThrowableOfType(() -> PathTemplate.parse("a${1"), IllegalArgumentException.class))
                .hasMessageContaining("without '}'");
        assertThat(catchThrowableOfType(() -> PathTemplate.parse("a${1:title}"), IllegalArgumentException.class))
                .hasMessageContaining(":title");
        assertThat(PathTemplate.parse("$$1-${release}/${model:upper}").expand(r -> r.equals("release") ? "r" : "m"))
                .isEqualTo("$1-r/M");
    }
}

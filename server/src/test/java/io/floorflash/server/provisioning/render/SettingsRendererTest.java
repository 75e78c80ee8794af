package io.floorflash.server.provisioning.render;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsRendererTest {
    /** A Snom settings file in the XML form Snom's phones fetch as snomD345-<MAC>.htm. */
    private static final String SNOM_TEMPLATE = """
            <?xml version="1.0" encoding="utf-8"?>
            <settings>
            <phone-settings e="2">
            <user_realname idx="1" perm="R">{{name}}</user_realname>
            <user_name idx="1" perm="R">{{extension}}</user_name>
            <user_pass idx="1" perm="R">{{password}}</user_pass>
            <user_host idx="1" perm="R">pbx.example.com</user_host>
            <phone_name perm="R">snom{{model}}-{{MAC}}</phone_name>
            {{#vlan}}<vlan_id perm="R">{{vlan}}</vlan_id>
            {{/vlan}}<mac perm="R">{{MAC_colons}}</mac>
            </phone-settings>
            </settings>
            """;
    private static final String INVENTORY = """
            mac,name,extension,password,vlan
            00:04:13:A1:1F:A7,"Reception, ground floor",100,s3cret,
            000413a11fa8,Alice & Bob,101,"p<w>d""1'",20
            00-04-13-A1-1F-A9,"Bob ""the builder""\",102,x,20
            """;

    @TempDir
    Path dir;
    private Path template;
    private Path inventory;
    private final SettingsRenderer renderer = new SettingsRenderer(1 << 20);

    @BeforeEach
    void writeTheLibrary() throws IOException {
        template = write("snomD345.htm", SNOM_TEMPLATE);
        inventory = write("phones.csv", INVENTORY);
    }

    @Test
    void rendersASnomSettingsFileForEachOfThreePhones() {
        RenderedFile reception = rendered(render("000413A11FA7", Escape.XML));
        RenderedFile alice = rendered(render("000413A11FA8", Escape.XML));
        RenderedFile bob = rendered(render("000413A11FA9", Escape.XML));

        assertThat(text(reception)).isEqualTo("""
                <?xml version="1.0" encoding="utf-8"?>
                <settings>
                <phone-settings e="2">
                <user_realname idx="1" perm="R">Reception, ground floor</user_realname>
                <user_name idx="1" perm="R">100</user_name>
                <user_pass idx="1" perm="R">s3cret</user_pass>
                <user_host idx="1" perm="R">pbx.example.com</user_host>
                <phone_name perm="R">snomD345-000413A11FA7</phone_name>
                <mac perm="R">00:04:13:A1:1F:A7</mac>
                </phone-settings>
                </settings>
                """);
        assertThat(text(alice))
                .contains("<user_realname idx=\"1\" perm=\"R\">Alice &amp; Bob</user_realname>")
                .contains("<user_pass idx=\"1\" perm=\"R\">p&lt;w&gt;d&quot;1&apos;</user_pass>")
                .contains("<vlan_id perm=\"R\">20</vlan_id>")
                .contains("snomD345-000413A11FA8");
        assertThat(text(bob)).contains(">Bob &quot;the builder&quot;</user_realname>").contains("<user_name idx=\"1\" perm=\"R\">102<");
        assertThat(reception.sha256()).isEqualTo(sha256(reception.toByteArray()));
        assertThat(reception.size()).isEqualTo(reception.toByteArray().length);
        assertThat(reception.inventory().size()).isEqualTo(INVENTORY.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"000413A11FA8", "000413a11fa8", "00:04:13:A1:1F:A8", "00-04-13-a1-1f-a8", "0004.13a1.1fa8"})
    void findsTheDeviceByItsMacInAnyForm(String mac) {
        RenderedFile file = rendered(renderer.render(template, inventory, mac, Map.of("model", "D345")));

        assertThat(text(file)).contains(">Alice & Bob<").contains("snomD345-000413A11FA8");
    }

    @Test
    void offersTheMacInSeveralFormsAndTheCaptures() throws IOException {
        Path forms = write("forms.txt", "{{mac}} {{MAC}} {{mac_colons}} {{MAC_colons}} {{mac_dashes}} {{MAC_dashes}}"
                + " {{1}} {{model}} {{name}}");

        RenderedFile file = rendered(renderer.render(forms, inventory, "00:04:13:a1:1f:a7",
                Map.of("1", "000413A11FA7", "model", "D345", "name", "from the name")));

        assertThat(text(file)).isEqualTo("000413a11fa7 000413A11FA7 00:04:13:a1:1f:a7 00:04:13:A1:1F:A7"
                + " 00-04-13-a1-1f-a7 00-04-13-A1-1F-A7 000413A11FA7 D345 Reception, ground floor");
    }

    @Test
    void answersUnknownDeviceForAMacNotListedOrNoMacAtAll() {
        assertThat(render("000413A11FB0", Escape.XML)).isInstanceOfSatisfying(UnknownDevice.class, unknown ->
                assertThat(unknown.reason()).isEqualTo("no device 00:04:13:a1:1f:b0 in " + inventory));
        assertThat(render("snom\u001b[31m", Escape.XML)).isInstanceOfSatisfying(UnknownDevice.class, unknown ->
                assertThat(unknown.reason()).isEqualTo("'snom\\x1b[31m' is not a MAC address"));
    }

    @Test
    void escapesAsTheRuleSays() throws IOException {
        Path values = write("values.txt", "{{password}}|{{{password}}}");

        assertThat(text(rendered(renderer.render(values, inventory, "000413a11fa8", Map.of()))))
                .isEqualTo("p<w>d\"1'|p<w>d\"1'");
        assertThat(text(rendered(renderer.render(values, inventory, "000413a11fa8", Map.of(), Escape.XML))))
                .isEqualTo("p&lt;w&gt;d&quot;1&apos;|p<w>d\"1'");
        assertThat(text(rendered(renderer.render(values, inventory, "000413a11fa8", Map.of(), Escape.HTML))))
                .isEqualTo("p&lt;w&gt;d&quot;1&#39;|p<w>d\"1'");
    }

    @Test
    void keepsARenderedFileUntilAFileChanges() throws IOException {
        RenderedFile first = rendered(render("000413A11FA7", Escape.XML));

        assertThat(rendered(render("00:04:13:a1:1f:a7", Escape.XML))).isSameAs(first);
        assertThat(renderer.cachedFiles()).isEqualTo(1);
    }

    @Test
    void rendersNewContentWhenTheInventoryChanges() throws IOException {
        RenderedFile before = rendered(render("000413A11FA7", Escape.XML));

        rewrite(inventory, INVENTORY.replace("Reception, ground floor", "Front desk"));
        RenderedFile after = rendered(render("000413A11FA7", Escape.XML));

        assertThat(text(after)).contains(">Front desk<").doesNotContain("Reception");
        assertThat(after.sha256()).isNotEqualTo(before.sha256());
        assertThat(after.inventory()).isNotEqualTo(before.inventory());
    }

    @Test
    void rendersNewContentWhenTheTemplateChanges() throws IOException {
        RenderedFile before = rendered(render("000413A11FA7", Escape.XML));

        rewrite(template, SNOM_TEMPLATE.replace("pbx.example.com", "pbx2.example.com"));
        RenderedFile after = rendered(render("000413A11FA7", Escape.XML));

        assertThat(text(after)).contains(">pbx2.example.com<");
        assertThat(after.template()).isNotEqualTo(before.template());
        assertThat(text(before)).contains(">pbx.example.com<");
    }

    @Test
    void reportsEveryInventoryProblemWithItsLine() throws IOException {
        rewrite(inventory, """
                mac,name,extension
                00:04:13:A1:1F:A7,Reception,100
                00:04:13:A1:1F:ZZ,Alice,101
                000413a11fa7,Again,102
                00:04:13:A1:1F:A9,Bob
                00:04:13:A1:1F:AA,"Carol",103,extra
                00:04:13:A1:1F:AB,Dave "the" man,104
                00:04:13:A1:1F:AC,"Eve
                on two lines",105
                00:04:13:A1:1F:AD,"Frank"x,106
                """);

        RenderException failure = catchThrowableOfType(RenderException.class, () -> render("000413A11FA7", Escape.XML));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactly(
                "line 3: mac '00:04:13:A1:1F:ZZ' (expected: " + MacAddress.EXPECTED + ")",
                "line 4: mac 00:04:13:a1:1f:a7 is on line 2 too (expected: each device once)",
                "line 5: 2 fields (expected: 3, as the header has)",
                "line 6: 4 fields (expected: 3, as the header has)",
                "line 7: a quote inside an unquoted field (expected: the whole field in quotes, with the quote written"
                        + " twice: \"\")",
                "line 10: text after a closing quote (expected: a comma or the line's end; a quote inside a quoted"
                        + " field is written twice: \"\")");
        assertThat(failure.getMessage()).startsWith("inventory " + inventory + ": 6 problems:\n  line 3: ");
        // The broken version keeps failing; the mended one is used at once.
        assertThat(catchThrowableOfType(RenderException.class, () -> render("000413A11FA7", Escape.XML)))
                .hasMessage(failure.getMessage());
        rewrite(inventory, INVENTORY);
        assertThat(render("000413A11FA7", Escape.XML)).isInstanceOf(RenderedFile.class);
    }

    @Test
    void refusesAnInventoryWithoutAMacColumnOrWithBadColumns() throws IOException {
        rewrite(inventory, "address,name,name,a.b,mac_colons\n00:04:13:A1:1F:A7,x,y,z,w\n");

        RenderException failure = catchThrowableOfType(RenderException.class, () -> render("000413A11FA7", Escape.XML));

        assertThat(failure.problems()).containsExactly(
                "line 1: column 'name' appears twice (expected: each column once)",
                "line 1: column 4 'a.b' (expected: a name of letters, digits, _ and -, starting with a letter or _)",
                "line 1: column 'mac_colons' is reserved for the MAC's forms (expected: another name)",
                "line 1: no mac column (expected: a header such as mac,name,extension)");
    }

    @Test
    void readsAMultiLineQuotedFieldAndAByteOrderMark() throws IOException {
        rewrite(inventory, "\uFEFFMAC,note\r\n\"00:04:13:A1:1F:A7\",\"two\r\nlines, one field\"\r\n\r\n");
        Path note = write("note.txt", "{{note}}");

        assertThat(text(rendered(renderer.render(note, inventory, "000413a11fa7", Map.of()))))
                .isEqualTo("two\r\nlines, one field");
    }

    @Test
    void reportsATemplateSyntaxErrorClearly() throws IOException {
        rewrite(template, "line one\n{{#vlan}}\n<vlan>{{vlan}}</vlan>\n");

        RenderException failure = catchThrowableOfType(RenderException.class, () -> render("000413A11FA7", Escape.XML));

        assertThat(failure).hasMessage("template " + template + ": Failed to close 'vlan' tag @[snomD345.htm:2]");
        rewrite(template, "<name>{{name</name>\n");
        assertThat(catchThrowableOfType(RenderException.class, () -> render("000413A11FA7", Escape.XML)))
                .hasMessage("template " + template + ": Improperly closed variable @[snomD345.htm:1]");
    }

    @Test
    void refusesPartials() throws IOException {
        write("secret.txt", "not for phones");
        rewrite(template, "{{> secret.txt}}");

        RenderException failure = catchThrowableOfType(RenderException.class, () -> render("000413A11FA7", Escape.XML));

        assertThat(failure).isNotNull();
        assertThat(failure.getMessage()).contains("partials are not supported: {{> secret.txt}}");
    }

    @Test
    void reportsAMissingFile() {
        Path missing = dir.resolve("missing.csv");

        RenderException failure = catchThrowableOfType(RenderException.class,
                () -> renderer.render(template, missing, "000413A11FA7", Map.of()));

        assertThat(failure).hasMessage("inventory " + missing + ": no such file");
    }

    private RenderResult render(String mac, Escape escape) {
        return renderer.render(template, inventory, mac, Map.of("model", "D345"), escape);
    }

    private static RenderedFile rendered(RenderResult result) {
        assertThat(result).isInstanceOf(RenderedFile.class);
        return (RenderedFile) result;
    }

    private static String text(RenderedFile file) {
        return new String(file.toByteArray(), UTF_8);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** Rewrites {@code file} and moves its time on, as an editor saving it a moment later would. */
    private static void rewrite(Path file, String content) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 1000));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

package io.floorflash.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "plain           | snom320.bin             | `\"snom320.bin\"`",
        "quote           | a\"b                    | `\"a\\\"b\"`",
        "backslash       | a\\b                    | `\"a\\\\b\"`",
        "script tag      | </script><b>&amp;       | `\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp;\"`",
        "line separators | a\u2028b\u2029c         | `\"a\\u2028b\\u2029c\"`",
        "non-ASCII kept  | Büro-Telefon ☎          | `\"Büro-Telefon ☎\"`",
    })
    void escapesWhatMustNotAppearRaw(String what, String value, String expected) {
        assertThat(quoted(value)).isEqualTo(expected);
    }

    @Test
    void escapesEveryControlCharacter() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        all.append('\u007f');

        String quoted = quoted(all.toString());

        assertThat(quoted).startsWith("\"\\u0000\\u0001").contains("\\b", "\\t", "\\n", "\\f", "\\r", "\\u001f", "\\u007f");
        assertThat(quoted.chars().filter(c -> c < 0x20 || c == 0x7f)).isEmpty();
    }

    @Test
    void keepsSurrogatePairsAndEscapesLoneHalves() {
        assertThat(quoted("phone \uD83D\uDCDE")).isEqualTo("\"phone \uD83D\uDCDE\"");
        assertThat(quoted("x\uD800y\uDC00")).isEqualTo("\"x\\ud800y\\udc00\"");
        assertThat(quoted("end\uD83D")).isEqualTo("\"end\\ud83d\"");
    }

    @Test
    void everyHostileStringReadsBackUnchanged() throws Exception {
        String hostile = "..\\..\\etc/passwd\"\u0000\n</script>\u2028\uD83D\uDCDE\u00ff'`${x}";
        StringBuilder out = new StringBuilder();

        new JsonWriter(out).beginObject().name("file\"<").value(hostile).name("n").value(-7).name("ok").value(true)
                .name("list").beginArray().value(1).beginObject().endObject().beginArray().endArray().value("x").endArray()
                .endObject();

        JsonNode read = JSON.readTree(out.toString());
        assertThat(read.get("file\"<").asText()).isEqualTo(hostile);
        assertThat(read.get("n").asLong()).isEqualTo(-7);
        assertThat(read.get("ok").asBoolean()).isTrue();
        assertThat(out.toString()).endsWith(",\"list\":[1,{},[],\"x\"]}");
    }

    @Test
    void refusesToCloseWhatWasNotOpened() {
        assertThatThrownBy(() -> new JsonWriter(new StringBuilder()).endObject()).isInstanceOf(IllegalStateException.class);
    }

    private static String quoted(String value) {
        StringBuilder out = new StringBuilder();
        JsonWriter.quote(out, value);
        return out.toString();
    }
}

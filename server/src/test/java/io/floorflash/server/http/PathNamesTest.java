package io.floorflash.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNamesTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "snom320.bin           | snom320.bin",
        "%2e%2e%2fetc%2fpasswd | ../etc/passwd",
        "%2E%2E/etc            | ../etc",
        "a%5cb                 | a\\b",
        "v1+2.bin              | v1+2.bin",
        "caf%C3%A9.bin         | café.bin",
        "%252e%252e            | %2e%2e",
    })
    void decodesPercentEscapesOnce(String raw, String name) {
        assertThat(PathNames.decode(raw)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"%00", "a%0Ab"})
    void keepsControlCharactersForTheNameRulesToRefuse(String raw) {
        assertThat(PathNames.decode(raw)).matches(".*\\p{Cntrl}.*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%ff.bin", "%c3"})
    void turnsBytesThatAreNotUtf8IntoTheReplacementCharacter(String raw) {
        assertThat(PathNames.decode(raw)).contains("\uFFFD");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "a%2", "%zz", "%2g"})
    void refusesABrokenEscape(String raw) {
        assertThatThrownBy(() -> PathNames.decode(raw)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two hex digits");
    }
}

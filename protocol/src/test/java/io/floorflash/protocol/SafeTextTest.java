package io.floorflash.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void plainTextIsTheSameInstance() {
        String name = "releases/10.1.2/snom320 (β).bin";
        assertThat(SafeText.escape(name)).isSameAs(name);
    }

    @Test
    void aNewlineCannotStartAForgedLogLine() {
        assertThat(SafeText.escape("x.bin\n12:00:00.000 INFO  Main - admin logged in"))
                .isEqualTo("x.bin\\x0a12:00:00.000 INFO  Main - admin logged in")
                .doesNotContain("\n");
        assertThat(SafeText.escape("a\r\tb")).isEqualTo("a\\x0d\\x09b");
    }

    @Test
    void terminalEscapesAndC1ControlsBecomeVisible() {
        assertThat(SafeText.escape("\u001b[2J\u001b]0;owned\u0007")).isEqualTo("\\x1b[2J\\x1b]0;owned\\x07");
        assertThat(SafeText.escape("\u009b31m\u007f")).isEqualTo("\\x9b31m\\x7f");
    }

    @Test
    void lineSeparatorsAndBidiOverridesAreEscaped() {
        assertThat(SafeText.escape("a\u2028b\u2029c")).isEqualTo("a\\u2028b\\u2029c");
        assertThat(SafeText.escape("snom\u202enib.exe")).isEqualTo("snom\\u202enib.exe");
        assertThat(SafeText.escape("\u2066x\u2069\u200f")).isEqualTo("\\u2066x\\u2069\\u200f");
    }

    @Test
    void escapingTwiceReadsTheSameAsOnce() {
        String once = SafeText.escape("a\u001bb\\x41\u2028");
        assertThat(SafeText.escape(once)).isEqualTo(once).isEqualTo("a\\x1bb\\x41\\u2028");
    }

    @Test
    void everyCharacterIsEitherKeptOrVisiblyEscaped() {
        for (char c = 0; c < 0xffff; c++) {
            String out = SafeText.escape(String.valueOf(c));
            if (SafeText.unsafe(c)) {
                assertThat(out).startsWith("\\").hasSizeGreaterThanOrEqualTo(4);
                assertThat(out.chars().noneMatch(x -> SafeText.unsafe((char) x))).isTrue();
            } else {
                assertThat(out).isEqualTo(String.valueOf(c));
            }
        }
    }

    @Test
    void appendEscapesIntoABuilder() {
        assertThat(SafeText.append(new StringBuilder("file="), "a\nb").toString()).isEqualTo("file=a\\x0ab");
        assertThat(SafeText.escape(null)).isEqualTo("null");
    }
}

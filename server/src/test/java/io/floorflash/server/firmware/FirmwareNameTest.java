package io.floorflash.server.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.floorflash.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class FirmwareNameTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/snom320.bin       | snom320.bin",
            "\\sub\\a.bin       | sub/a.bin",
            "a//b/./c           | a/b/c",
            "snom320.bin        | snom320.bin",
            "//sub/./a.bin/     | sub/a.bin",
    })
    void normalizesANameBelowTheRoot(String requested, String relative) {
        FirmwareName name = FirmwareName.of(requested);

        assertThat(name.relative()).isEqualTo(relative);
        assertThat(name).hasToString(relative);
        assertThat(name.resolveUnder(Path.of("/srv/firmware"))).isEqualTo(Path.of("/srv/firmware/" + relative));
    }

    @ParameterizedTest(name = "refuses \"{0}\": {1}")
    @CsvSource(delimiter = '|', value = {
            "../etc/passwd  | contains '..'",
            "a/../../b      | contains '..'",
            "..\\x          | contains '..'",
            "..             | contains '..'",
            "C:\\boot.ini   | names a drive",
            "c:/x           | names a drive",
            "''             | names no file",
            "/              | names no file",
            "./             | names no file",
            "\\             | names no file",
    })
    void refusesNamesOutsideTheRootWithAccessViolation(String requested, String reason) {
        FirmwareException refusal = catchThrowableOfType(FirmwareException.class, () -> FirmwareName.of(requested));

        assertThat(refusal).isNotNull();
        assertThat(refusal.code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refusal.toErrorPacket().code()).isEqualTo(2);
        assertThat(refusal).hasMessageStartingWith("Access violation: '" + requested + "'").hasMessageContaining(reason);
    }

    /** Not a {@code @CsvSource}: its parser trims every character up to the space, NUL and LF included. */
    static Stream<Arguments> namesWithControlCharacters() {
        return Stream.of(
                Arguments.of("a\0.bin", "NUL"),
                Arguments.of("\0", "a name that is only NUL"),
                Arguments.of("a\n.bin", "a line feed"),
                Arguments.of("a\r.bin", "a carriage return"),
                Arguments.of("a\u007f.bin", "DEL"),
                Arguments.of("a\uFFFD.bin", "an undecodable byte (U+FFFD)"));
    }

    @ParameterizedTest(name = "refuses {1}")
    @MethodSource("namesWithControlCharacters")
    void refusesControlCharactersAndUndecodableBytes(String requested, String description) {
        FirmwareException refusal = catchThrowableOfType(FirmwareException.class, () -> FirmwareName.of(requested));

        assertThat(refusal).isNotNull();
        assertThat(refusal.code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refusal).hasMessageStartingWith("Access violation: ")
                .hasMessageContaining("contains a control character or undecodable byte");
        assertThat(refusal.getMessage()).doesNotContain("\u0000", "\n", "\u007f");
    }
}

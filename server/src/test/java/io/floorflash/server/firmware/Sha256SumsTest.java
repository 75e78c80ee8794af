package io.floorflash.server.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Sha256SumsTest {
    private static final String A = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final String B = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    @Test
    void readsTheLinesSha256sumWritesInTextAndBinaryMode() {
        Sha256Sums sums = Sha256Sums.parse(A + "  snom320.bin\n" + B.toUpperCase() + " *snom820-r.bin\n");

        assertThat(sums.digestOf("snom320.bin")).contains(A);
        assertThat(sums.digestOf("snom820-r.bin")).as("hex in either case, kept lower-case").contains(B);
        assertThat(sums.digestOf("snomPA1.bin")).isEmpty();
        assertThat(sums.entries()).isEqualTo(2);
    }

    @Test
    void listsOnlyTheFilesBesideIt() {
        Sha256Sums sums = Sha256Sums.parse(A + "  ./a.bin\n" + A + "  sub/b.bin\n" + A + "  ../c.bin\n" + A + "  .\n");

        assertThat(sums.digestOf("a.bin")).contains(A);
        assertThat(sums.digestOf("b.bin")).isEmpty();
        assertThat(sums.digestOf("sub/b.bin")).isEmpty();
        assertThat(sums.skipped()).isEqualTo(3);
    }

    @Test
    void readsEscapedNamesAndSkipsWhatIsNoEntry() {
        Sha256Sums sums = Sha256Sums.parse("\\" + A + "  odd\\nname\\\\.bin\r\n# release 10.1.2\n\n"
                + "deadbeef  short.bin\n" + A + " no-separator.bin\n" + A + "  spaced name.bin\n");

        assertThat(sums.digestOf("odd\nname\\.bin")).contains(A);
        assertThat(sums.digestOf("spaced name.bin")).contains(A);
        assertThat(sums.digestOf("short.bin")).isEmpty();
        assertThat(sums.skipped()).isEqualTo(3);
    }
}

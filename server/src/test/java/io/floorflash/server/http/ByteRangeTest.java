package io.floorflash.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteRangeTest {
    @ParameterizedTest(name = "{0} of 1000 bytes -> {1} {2}-{3}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        // header              | kind          | first | last
        "null                  | WHOLE         | 0     | 999",
        "bytes=100-199         | PART          | 100   | 199",
        "bytes=0-0             | PART          | 0     | 0",
        "bytes=999-999         | PART          | 999   | 999",
        "bytes=1000-           | UNSATISFIABLE | 0     | -1",
        "bytes=900-            | PART          | 900   | 999",
        "bytes=900-5000        | PART          | 900   | 999",
        "bytes=-500            | PART          | 500   | 999",
        "bytes=-5000           | PART          | 0     | 999",
        "bytes=-0              | UNSATISFIABLE | 0     | -1",
        "bytes=1000-1000       | UNSATISFIABLE | 0     | -1",
        "BYTES = 10 - 19       | PART          | 10    | 19",
        "bytes=0-99999999999999999999999 | PART | 0   | 999",
        "bytes=99999999999999999999999-  | UNSATISFIABLE | 0 | -1",
        // Ignored, the whole file is sent: several ranges, another unit, bad syntax, last before first.
        "'bytes=0-1,5-6'       | WHOLE         | 0     | 999",
        "items=0-10            | WHOLE         | 0     | 999",
        "bytes=abc-            | WHOLE         | 0     | 999",
        "bytes=10              | WHOLE         | 0     | 999",
        "bytes=-               | WHOLE         | 0     | 999",
        "bytes=20-10           | WHOLE         | 0     | 999",
        "bytes=+1-2            | WHOLE         | 0     | 999",
        "bytes 0-10            | WHOLE         | 0     | 999",
    })
    void readsOneRangeOfAThousandBytes(String header, ByteRange.Kind kind, long first, long last) {
        ByteRange range = ByteRange.parse(header, 1000);
        assertThat(range).isEqualTo(new ByteRange(kind, first, last));
        assertThat(range.length()).isEqualTo(kind == ByteRange.Kind.UNSATISFIABLE ? 0 : last - first + 1);
    }

    @ParameterizedTest(name = "{0} of an empty file -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "null       | WHOLE",
        "bytes=0-   | UNSATISFIABLE",
        "bytes=0-0  | UNSATISFIABLE",
        "bytes=-1   | UNSATISFIABLE",
    })
    void hasNoPartOfAnEmptyFile(String header, ByteRange.Kind kind) {
        ByteRange range = ByteRange.parse(header, 0);
        assertThat(range.kind()).isEqualTo(kind);
        assertThat(range.length()).isZero();
    }
}

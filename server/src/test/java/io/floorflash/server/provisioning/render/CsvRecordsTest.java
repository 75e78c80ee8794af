package io.floorflash.server.provisioning.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CsvRecordsTest {
    @Test
    void readsQuotedCommasDoubledQuotesAndEmptyFields() {
        CsvRecords.Parsed parsed = CsvRecords.parse("a,\"b, c\",\"d \"\"e\"\"\",\n,,\n");

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.rows()).containsExactly(
                new CsvRecords.Row(1, List.of("a", "b, c", "d \"e\"", "")),
                new CsvRecords.Row(2, List.of("", "", "")));
    }

    @Test
    void numbersRecordsByTheLineTheyStartOn() {
        CsvRecords.Parsed parsed = CsvRecords.parse("h\r\n\"one\ntwo\nthree\"\r\n\r\nnext");

        assertThat(parsed.rows()).extracting(CsvRecords.Row::line).containsExactly(1, 2, 6);
        assertThat(parsed.rows().get(1).fields()).containsExactly("one\ntwo\nthree");
    }

    @Test
    void reportsAQuoteNeverClosed() {
        CsvRecords.Parsed parsed = CsvRecords.parse("h\nok\n\"open,\nstill open\n");

        assertThat(parsed.rows()).extracting(CsvRecords.Row::line).containsExactly(1, 2);
        assertThat(parsed.problems()).containsExactly("line 3: a quoted field is never closed (expected: a closing \")");
    }

    /** Any fields, written as RFC 4180 says (every field quoted, quotes doubled), read back the same. */
    @Property(tries = 300)
    void readsBackWhatRfc4180Writes(@ForAll("tables") List<List<String>> table) {
        String csv = table.stream()
                .map(row -> row.stream().map(f -> "\"" + f.replace("\"", "\"\"") + "\"").collect(Collectors.joining(",")))
                .collect(Collectors.joining("\r\n", "", "\r\n"));

        CsvRecords.Parsed parsed = CsvRecords.parse(csv);

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.rows()).extracting(CsvRecords.Row::fields).containsExactlyElementsOf(table);
    }

    @Provide
    Arbitrary<List<List<String>>> tables() {
        Arbitrary<String> field = Arbitraries.strings().withChars("ab,\"\n\r x").ofMaxLength(8);
        return field.list().ofMinSize(1).ofMaxSize(5).list().ofMinSize(1).ofMaxSize(6);
    }
}

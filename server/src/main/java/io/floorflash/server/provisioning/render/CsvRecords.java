package io.floorflash.server.provisioning.render;

import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 reader: records separated by CRLF or LF, fields by commas, a field in double quotes may hold
 * commas, line breaks and doubled quotes ({@code "Bob ""the builder"""}). Empty lines are skipped; a leading UTF-8
 * byte order mark (spreadsheets write one) is ignored. Each record keeps the number of the line it starts on, so
 * problems can name it. Malformed quoting (a quote inside an unquoted field, text after a closing quote, a quote never
 * closed) is reported with its line, never guessed at.
 */
final class CsvRecords {
    /** One record, starting on line {@code line} (1-based). */
    record Row(int line, List<String> fields) {
    }

    /** The records of a file and the problems found reading them. */
    record Parsed(List<Row> rows, List<String> problems) {
    }

    private CsvRecords() {
    }

    static Parsed parse(String text) {
        List<Row> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int line = 1;
        int n = text.length();
        while (i < n) {
            int start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean broken = false;
            boolean endOfRecord = false;
            // An empty line is no record.
            if (text.charAt(i) == '\n' || text.startsWith("\r\n", i)) {
                i += text.charAt(i) == '\n' ? 1 : 2;
                line++;
                continue;
            }
            while (!endOfRecord) {
                if (i < n && text.charAt(i) == '"') {
                    i++;
                    boolean closed = false;
                    while (i < n) {
                        char c = text.charAt(i);
                        if (c == '"') {
                            if (i + 1 < n && text.charAt(i + 1) == '"') {
                                field.append('"');
                                i += 2;
                                continue;
                            }
                            i++;
                            closed = true;
                            break;
                        }
                        if (c == '\n') {
                            line++;
                        }
                        field.append(c);
                        i++;
                    }
                    if (!closed) {
                        problems.add("line " + start + ": a quoted field is never closed (expected: a closing \")");
                        broken = true;
                        i = n;
                    } else if (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && !text.startsWith("\r\n", i)) {
                        problems.add("line " + line + ": text after a closing quote (expected: a comma or the line's end;"
                                + " a quote inside a quoted field is written twice: \"\")");
                        broken = true;
                        // Skip to the end of this line and go on with the next record.
                        while (i < n && text.charAt(i) != '\n') {
                            i++;
                        }
                    }
                } else {
                    while (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && !text.startsWith("\r\n", i)) {
                        char c = text.charAt(i);
                        if (c == '"' && !broken) {
                            problems.add("line " + line + ": a quote inside an unquoted field (expected: the whole field"
                                    + " in quotes, with the quote written twice: \"\")");
                            broken = true;
                        }
                        field.append(c);
                        i++;
                    }
                }
                fields.add(field.toString());
                field.setLength(0);
                if (i < n && text.charAt(i) == ',') {
                    i++;
                    continue;
                }
                if (i < n) {
                    i += text.charAt(i) == '\n' ? 1 : 2;
                    line++;
                }
                endOfRecord = true;
            }
            if (!broken) {
                rows.add(new Row(start, List.copyOf(fields)));
            }
        }
        return new Parsed(List.copyOf(rows), List.copyOf(problems));
    }
}

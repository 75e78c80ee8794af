package io.floorflash.server.provisioning.render;

import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A template or an inventory that cannot be used: every problem found, each naming its line where it has one, in the
 * order of the lines. The caller refuses the request (ERROR 0) and logs the message once per file version.
 */
public final class RenderException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final Pattern LINE = Pattern.compile("^line (\\d+):");

    private final transient List<String> problems;

    /** @param what the file, such as "inventory /srv/provisioning/phones.csv" */
    public RenderException(String what, List<String> problems) {
        this(what, problems, null);
    }

    public RenderException(String what, List<String> problems, Throwable cause) {
        super(message(what, sorted(problems)), cause);
        this.problems = sorted(problems);
    }

    /** The problems, one line each ("line 7: mac 'zz' (expected: ...)"), by line. */
    public List<String> problems() {
        return problems;
    }

    private static List<String> sorted(List<String> problems) {
        return problems.stream().sorted(Comparator.comparingLong(RenderException::lineOf)).toList();
    }

    private static long lineOf(String problem) {
        Matcher m = LINE.matcher(problem);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String message(String what, List<String> problems) {
        return problems.size() == 1 ? what + ": " + problems.get(0)
                : what + ": " + problems.size() + " problems:\n  " + String.join("\n  ", problems);
    }
}

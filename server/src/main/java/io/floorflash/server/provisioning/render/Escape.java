package io.floorflash.server.provisioning.render;

import com.github.mustachejava.util.HtmlEscaper;
import java.io.IOException;
import java.io.Writer;

/**
 * How {@code {{name}}} writes a value into a generated file (a rule's {@code escape}); {@code {{{name}}}} never
 * escapes. Settings files are not web pages, so the default is {@link #NONE}: a password with {@code &} stays as it
 * is. XML-ish files (Snom's {@code .htm} settings, Yealink's and Polycom's {@code .xml}) want {@link #XML}.
 */
public enum Escape {
    /** Values as they are. */
    NONE,
    /** {@code & < > " '} as XML's five entities. */
    XML,
    /** Mustache's own HTML escaping ({@code & < > " ' `} and {@code =}). */
    HTML;

    void write(String value, Writer out) throws IOException {
        switch (this) {
            case NONE:
                out.write(value);
                break;
            case HTML:
                HtmlEscaper.escape(value, out);
                break;
            case XML:
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    switch (c) {
                        case '&':
                            out.write("&amp;");
                            break;
                        case '<':
                            out.write("&lt;");
                            break;
                        case '>':
                            out.write("&gt;");
                            break;
                        case '"':
                            out.write("&quot;");
                            break;
                        case '\'':
                            out.write("&apos;");
                            break;
                        default:
                            out.write(c);
                    }
                }
                break;
            default:
                throw new AssertionError(this);
        }
    }
}

package io.floorflash.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml, read by Logback itself: what a client sends cannot add a line or an escape sequence. */
class SafeLogPatternTest {
    private static final String FORGED = "x.bin\n12:00:00.000 INFO  Main - \u001b[31madmin logged in";

    @Test
    void aRequestedNameStaysOnItsOwnLogLine() throws Exception {
        String out = logWithShippedPattern(logger -> logger.info("refused client=10.0.0.7:41000 file={}", FORGED));

        assertThat(out.lines()).hasSize(1);
        assertThat(out).contains("file=x.bin\\x0a12:00:00.000 INFO  Main - \\x1b[31madmin logged in")
                .doesNotContain("\u001b");
    }

    @Test
    void anExceptionMessageCannotForgeALineButTheTraceKeepsItsLines() throws Exception {
        String out = logWithShippedPattern(logger -> logger.error("load failed",
                new IllegalStateException("wrapped", new NoSuchFileException(FORGED))));

        assertThat(out).doesNotContain("\u001b").contains("x.bin\\x0a12:00:00.000 INFO");
        assertThat(out.lines()).anySatisfy(line -> assertThat(line).startsWith("\tat "));
        assertThat(out.lines()).anySatisfy(line -> assertThat(line).startsWith("Caused by: java.nio.file"));
        assertThat(out.lines()).noneSatisfy(line -> assertThat(line).startsWith("12:00:00.000"));
    }

    private interface Logging {
        void to(org.slf4j.Logger logger);
    }

    /** Configures a private Logback context from the shipped logback.xml and captures its console pattern's output. */
    private static String logWithShippedPattern(Logging logging) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try (InputStream xml = SafeLogPatternTest.class.getResourceAsStream("/logback.xml")) {
            configurator.doConfigure(xml);
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        console.setOutputStream(bytes);
        logging.to(context.getLogger("io.floorflash.test"));
        context.stop();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

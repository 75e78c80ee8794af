package io.floorflash.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloserTest {
    private final List<String> closed = new ArrayList<>();
    private final Closer closer = new Closer();

    @Test
    void closesTheLastBuiltFirst() {
        closer.onClose("store", () -> closed.add("store"));
        closer.onClose("loops", () -> closed.add("loops"));
        AutoCloseable http = closer.register("http", () -> closed.add("http"));

        closer.close();

        assertThat(http).isNotNull();
        assertThat(closed).containsExactly("http", "loops", "store");
    }

    @Test
    void aFailingCloseDoesNotStopTheOthersAndIsReportedByName() {
        closer.onClose("store", () -> closed.add("store"));
        closer.onClose("loops", () -> {
            throw new IllegalStateException("stuck");
        });
        closer.onClose("listener", () -> {
            throw new IllegalStateException("gone");
        });

        IllegalStateException failure = catchThrowableOfType(IllegalStateException.class, closer::close);

        assertThat(closed).containsExactly("store");
        assertThat(failure).hasMessage("closing listener failed").hasRootCauseMessage("gone");
        assertThat(failure.getSuppressed()).singleElement().extracting(Throwable::getMessage)
                .isEqualTo("closing loops failed");
    }

    @Test
    void afterAFailedStartWhatFailsToCloseIsAddedToTheCause() {
        closer.onClose("store", () -> closed.add("store"));
        closer.onClose("loops", () -> {
            throw new IllegalStateException("stuck");
        });
        Exception cause = new Exception("port in use");

        closer.closeAfter(cause);

        assertThat(closed).containsExactly("store");
        assertThat(cause.getSuppressed()).singleElement().extracting(Throwable::getMessage)
                .isEqualTo("closing loops failed");
    }

    @Test
    void closesEachStepOnce() {
        closer.onClose("store", () -> closed.add("store"));

        closer.close();
        closer.close();

        assertThat(closed).containsExactly("store");
    }
}

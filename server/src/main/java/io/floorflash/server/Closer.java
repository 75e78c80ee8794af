package io.floorflash.server;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the composition root has built so far, for closing in order: each component is registered as it is built and
 * closed in the reverse order, so a start that fails half-way unwinds exactly what it built, in one place, and a stop
 * tears down in the order the server was put together (HTTP sides, then transfer ports, listeners, event loops, the
 * store last). Every registered close runs even when one before it fails. Not thread-safe: the server starts on one
 * thread and stops once.
 */
final class Closer {
    private record Step(String name, AutoCloseable close) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();

    /** Registers {@code component} for closing; returns it, for building and registering in one expression. */
    <T extends AutoCloseable> T register(String name, T component) {
        steps.push(new Step(name, component));
        return component;
    }

    /** Registers a close action for something that is not an {@link AutoCloseable} (an event loop group, say). */
    void onClose(String name, AutoCloseable close) {
        steps.push(new Step(name, close));
    }

    /**
     * Closes everything registered, the last first.
     *
     * @throws IllegalStateException naming the first step that failed, the later failures suppressed in it
     */
    void close() {
        IllegalStateException failure = closeAll(null);
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes everything registered after a failed start; what fails in closing is added to {@code cause}. */
    void closeAfter(Throwable cause) {
        closeAll(cause);
    }

    private IllegalStateException closeAll(Throwable cause) {
        IllegalStateException first = null;
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.close().close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                IllegalStateException failed = new IllegalStateException("closing " + step.name() + " failed", e);
                if (cause != null) {
                    cause.addSuppressed(failed);
                } else if (first == null) {
                    first = failed;
                } else {
                    first.addSuppressed(failed);
                }
            }
        }
        return first;
    }
}

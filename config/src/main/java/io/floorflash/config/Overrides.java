package io.floorflash.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Settings that win over the configuration file and {@code reference.conf}: the command-line flags, and what a test
 * needs (port 0, loopback, its own root). Typed, so no one outside this package writes a key as a string:
 *
 * <pre>{@code
 * Overrides overrides = Overrides.none()
 *         .with(Key.TFTP_PORT, 0)
 *         .with(Key.RETRANSMIT_INITIAL_TIMEOUT, Duration.ofMillis(300));
 * Settings settings = SettingsLoader.load(file, overrides);
 * }</pre>
 *
 * <p>Immutable: {@link #with} returns a copy; a later value for the same key replaces the earlier one.
 */
public final class Overrides {
    private static final Overrides NONE = new Overrides(Map.of());

    /** Values by key, in the order they were first set. */
    private final Map<Key<?>, Object> values;

    private Overrides(Map<Key<?>, Object> values) {
        this.values = values;
    }

    /** No overrides: the file and reference.conf as they are. */
    public static Overrides none() {
        return NONE;
    }

    /** These overrides with {@code key} set to {@code value}. */
    public <T> Overrides with(Key<T> key, T value) {
        key.toHocon(value); // fails now, naming the key, for a null
        Map<Key<?>, Object> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new Overrides(Collections.unmodifiableMap(copy));
    }

    /** These overrides, then every one of {@code more} (which win). */
    public Overrides with(Overrides more) {
        Map<Key<?>, Object> copy = new LinkedHashMap<>(values);
        copy.putAll(more.values);
        return new Overrides(Collections.unmodifiableMap(copy));
    }

    /** The value set for {@code key}, if any. */
    public <T> Optional<T> get(Key<T> key) {
        @SuppressWarnings("unchecked") // with() only stores a T under a Key<T>
        T value = (T) values.get(key);
        return Optional.ofNullable(value);
    }

    /** Whether {@code key} is set. */
    public boolean has(Key<?> key) {
        return values.containsKey(key);
    }

    /** The overrides as HOCON's {@code ConfigFactory.parseMap} takes them: full key paths to plain values. */
    Map<String, Object> toConfigMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        values.forEach((key, value) -> map.put(key.name(), hocon(key, value)));
        return map;
    }

    @SuppressWarnings("unchecked") // with() only stores a T under a Key<T>
    private static <T> Object hocon(Key<T> key, Object value) {
        return key.toHocon((T) value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Overrides that && values.equals(that.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

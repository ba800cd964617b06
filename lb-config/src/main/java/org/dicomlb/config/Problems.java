package org.dicomlb.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration errors while a whole file is read. Readers record a problem and carry on
 * with a neutral value so that one validation run reports every mistake, not just the first.
 * Not thread-safe: one instance per load, used by one thread.
 */
public final class Problems {
    private final List<ConfigError> errors = new ArrayList<>();

    public void add(Location location, String message) {
        errors.add(new ConfigError(location, message));
    }

    public void add(ConfigNode node, String message) {
        add(node.location(), message);
    }

    public int count() {
        return errors.size();
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<ConfigError> errors() {
        return List.copyOf(errors);
    }

    /** Throws a {@link ConfigException} carrying every error collected so far, if there is one. */
    public void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }
}

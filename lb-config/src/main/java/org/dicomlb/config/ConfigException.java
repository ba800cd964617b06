package org.dicomlb.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every error found in it (sorted by position). */
public final class ConfigException extends Exception {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().sorted().map(ConfigError::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = errors.stream().sorted().toList();
    }

    public ConfigException(ConfigError error) {
        this(List.of(error));
    }

    public List<ConfigError> errors() {
        return errors;
    }
}

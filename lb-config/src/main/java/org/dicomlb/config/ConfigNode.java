package org.dicomlb.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A node of a parsed YAML document, with the position it was read from. */
public sealed interface ConfigNode {
    Location location();

    /** What the node is, for error messages: "a mapping", "a list", "a string" ... */
    String describe();

    /** A plain value. {@code text} is the scalar as written, without quotes. */
    record Scalar(String text, Kind kind, Location location) implements ConfigNode {
        public enum Kind { STRING, NUMBER, BOOLEAN, NULL }

        public Scalar {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(location, "location");
        }

        @Override
        public String describe() {
            return switch (kind) {
                case NULL -> "an empty value";
                case STRING -> "the string '" + text + "'";
                case NUMBER, BOOLEAN -> "'" + text + "'";
            };
        }
    }

    /** A YAML sequence. */
    record Sequence(List<ConfigNode> items, Location location) implements ConfigNode {
        public Sequence {
            items = List.copyOf(items);
            Objects.requireNonNull(location, "location");
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A YAML mapping; keys are unique and keep their file order. */
    record Mapping(List<Entry> entries, Location location) implements ConfigNode {
        public record Entry(String key, Location keyLocation, ConfigNode value) {
            public Entry {
                Objects.requireNonNull(key, "key");
                Objects.requireNonNull(keyLocation, "keyLocation");
                Objects.requireNonNull(value, "value");
            }
        }

        public Mapping {
            entries = List.copyOf(entries);
            Objects.requireNonNull(location, "location");
        }

        public Optional<Entry> entry(String key) {
            return entries.stream().filter(e -> e.key().equals(key)).findFirst();
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }
}

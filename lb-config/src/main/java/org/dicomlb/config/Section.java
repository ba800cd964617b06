package org.dicomlb.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Reads one YAML mapping into typed values, recording every problem in a shared {@link Problems}
 * and carrying on with the default so that validation finds all mistakes in one run.
 *
 * <p>Every key a reader asks for becomes a known key; {@link #finish()} reports the keys in the
 * file that nobody asked for ("unknown key 'balanse'; did you mean 'balance'?"). Call it after
 * reading every field of the section.
 */
public final class Section {
    private final ConfigNode.Mapping node;
    private final Problems problems;
    private final String what;
    private final Set<String> known = new LinkedHashSet<>();
    private final int problemsAtStart;

    private Section(ConfigNode.Mapping node, Problems problems, String what) {
        this.node = node;
        this.problems = problems;
        this.what = what;
        this.problemsAtStart = problems.count();
    }

    /** The section for {@code node}, or empty (with an error recorded) when it is not a mapping. */
    public static Optional<Section> of(ConfigNode node, Problems problems, String what) {
        if (node instanceof ConfigNode.Mapping m) {
            return Optional.of(new Section(m, problems, what));
        }
        problems.add(node, what + " must be a mapping of keys to values, not " + node.describe());
        return Optional.empty();
    }

    public Location location() {
        return node.location();
    }

    public Problems problems() {
        return problems;
    }

    /** What this section is, for messages: "listener 'dicom'", "pool 'archive' backend 2". */
    public String what() {
        return what;
    }

    /** True when the file has this key (with any value). Marks the key as known. */
    public boolean has(String key) {
        known.add(key);
        return node.entry(key).isPresent();
    }

    /** The raw node under {@code key}; an explicit {@code null} value counts as absent. */
    public Optional<ConfigNode> node(String key) {
        known.add(key);
        return node.entry(key).map(ConfigNode.Mapping.Entry::value)
                .filter(v -> !(v instanceof ConfigNode.Scalar s && s.kind() == ConfigNode.Scalar.Kind.NULL));
    }

    /** The location of the value under {@code key}, or of this section when the key is absent. */
    public Location locationOf(String key) {
        return node.entry(key).map(e -> e.value().location()).orElse(node.location());
    }

    /** Records an error about {@code key} (at its value, or at the section when absent). */
    public void error(String key, String message) {
        problems.add(locationOf(key), message);
    }

    /** Records an error about the section as a whole. */
    public void error(String message) {
        problems.add(node.location(), message);
    }

    // ---- scalars ------------------------------------------------------------------------------

    public Optional<String> optionalString(String key) {
        return node(key).flatMap(v -> scalarText(key, v));
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    /** A required string; records "missing" and returns null when absent. */
    public String requiredString(String key) {
        Optional<String> v = optionalString(key);
        if (v.isEmpty() && node(key).isEmpty()) {
            error(what + " needs '" + key + "'");
        }
        return v.orElse(null);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        return optionalInteger(key, min, max).orElse(defaultValue);
    }

    public Optional<Integer> optionalInteger(String key, int min, int max) {
        return optionalString(key).flatMap(text -> {
            long n;
            try {
                n = Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                error(key, "'" + key + "' must be a whole number, not '" + text + "'");
                return Optional.empty();
            }
            if (n < min || n > max) {
                error(key, "'" + key + "' is " + n + "; it must be between " + min + " and " + max);
                return Optional.empty();
            }
            return Optional.of((int) n);
        });
    }

    public boolean bool(String key, boolean defaultValue) {
        return optionalString(key).flatMap(text -> switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> Optional.of(true);
            case "false" -> Optional.of(false);
            default -> {
                error(key, "'" + key + "' must be true or false, not '" + text + "'");
                yield Optional.<Boolean>empty();
            }
        }).orElse(defaultValue);
    }

    public Optional<Duration> optionalDuration(String key) {
        return parsed(key, Durations::parse);
    }

    public Duration duration(String key, Duration defaultValue) {
        return optionalDuration(key).orElse(defaultValue);
    }

    /** A duration that must lie in {@code [min, max]}. */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        return optionalDuration(key, min, max).orElse(defaultValue);
    }

    /** A duration that must lie in {@code [min, max]}; empty when absent or reported out of range. */
    public Optional<Duration> optionalDuration(String key, Duration min, Duration max) {
        return optionalDuration(key).filter(d -> {
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                error(key, "'" + key + "' must be between " + Durations.format(min) + " and " + Durations.format(max));
                return false;
            }
            return true;
        });
    }

    public Optional<InetSocketAddress> optionalAddress(String key) {
        return parsed(key, SocketAddresses::parse);
    }

    public InetSocketAddress requiredAddress(String key) {
        Optional<InetSocketAddress> a = optionalAddress(key);
        if (a.isEmpty() && node(key).isEmpty()) {
            error(what + " needs '" + key + "' (ip:port)");
        }
        return a.orElse(null);
    }

    /**
     * An enum written in lower kebab case ({@code dicom-echo} for {@code DICOM_ECHO}); the error
     * lists the allowed values.
     */
    public <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
        return optionalChoice(key, type).orElse(defaultValue);
    }

    public <E extends Enum<E>> Optional<E> optionalChoice(String key, Class<E> type) {
        return optionalString(key).flatMap(text -> {
            for (E e : type.getEnumConstants()) {
                if (kebab(e).equals(text.strip())) {
                    return Optional.of(e);
                }
            }
            error(key, "'" + key + "' must be one of " + choices(type) + ", not '" + text + "'");
            return Optional.empty();
        });
    }

    /** A value parsed from the scalar text; the parser's {@link IllegalArgumentException} becomes the error. */
    public <T> Optional<T> parsed(String key, Function<String, T> parser) {
        return optionalString(key).flatMap(text -> {
            try {
                return Optional.of(parser.apply(text));
            } catch (IllegalArgumentException e) {
                error(key, "'" + key + "': " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    // ---- lists and nesting --------------------------------------------------------------------

    /** A list of strings; a single scalar is accepted as a one-element list. */
    public List<String> strings(String key) {
        return list(key, (item, p) -> {
            if (item instanceof ConfigNode.Scalar s && s.kind() != ConfigNode.Scalar.Kind.NULL) {
                return s.text();
            }
            p.add(item, "'" + key + "' items must be plain values, not " + item.describe());
            return null;
        });
    }

    /** A list of values parsed from scalar text, errors located at each bad item. */
    public <T> List<T> parsedList(String key, Function<String, T> parser) {
        return list(key, (item, p) -> {
            if (!(item instanceof ConfigNode.Scalar s) || s.kind() == ConfigNode.Scalar.Kind.NULL) {
                p.add(item, "'" + key + "' items must be plain values, not " + item.describe());
                return null;
            }
            try {
                return parser.apply(s.text());
            } catch (IllegalArgumentException e) {
                p.add(item, "'" + key + "': " + e.getMessage());
                return null;
            }
        });
    }

    /** Item reader for {@link #list}: returns null after recording a problem to drop the item. */
    @FunctionalInterface
    public interface ItemReader<T> {
        T read(ConfigNode item, Problems problems);
    }

    /** Reads each item of a list (a single non-list value counts as one item); null results are dropped. */
    public <T> List<T> list(String key, ItemReader<T> reader) {
        Optional<ConfigNode> n = node(key);
        if (n.isEmpty()) {
            return List.of();
        }
        List<ConfigNode> items = n.get() instanceof ConfigNode.Sequence seq ? seq.items() : List.of(n.get());
        List<T> out = new ArrayList<>();
        for (ConfigNode item : items) {
            T t = reader.read(item, problems);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    /** A nested mapping, if present (an error is recorded when it is not a mapping). */
    public Optional<Section> section(String key) {
        return node(key).flatMap(n -> Section.of(n, problems, what + " " + key));
    }

    /**
     * A list of mappings. Each item is described for messages as {@code kind 'name'} when it has a
     * plain {@code name}, else {@code kind N} (1-based), e.g. "pool 'archive'", "listener 2".
     */
    public List<Section> sections(String key, String kind) {
        Optional<ConfigNode> n = node(key);
        if (n.isEmpty()) {
            return List.of();
        }
        if (!(n.get() instanceof ConfigNode.Sequence seq)) {
            problems.add(n.get(), "'" + key + "' must be a list, not " + n.get().describe());
            return List.of();
        }
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
            ConfigNode item = seq.items().get(i);
            String name = item instanceof ConfigNode.Mapping m ? m.entry("name")
                    .filter(e -> e.value() instanceof ConfigNode.Scalar sc && sc.kind() != ConfigNode.Scalar.Kind.NULL)
                    .map(e -> ((ConfigNode.Scalar) e.value()).text()).orElse(null) : null;
            Section.of(item, problems, name != null ? kind + " '" + name + "'" : kind + " " + (i + 1)).ifPresent(out::add);
        }
        return out;
    }

    // ---- completion ---------------------------------------------------------------------------

    /** Reports every key present in the file that no reader asked for. */
    public void finish() {
        for (ConfigNode.Mapping.Entry e : node.entries()) {
            if (!known.contains(e.key())) {
                problems.add(e.keyLocation(), "unknown key '" + e.key() + "' in " + what + suggestion(e.key()));
            }
        }
    }

    /** True when no problem was recorded since this section was created. */
    public boolean clean() {
        return problems.count() == problemsAtStart;
    }

    /**
     * Calls {@link #finish()}, then builds the value when the section had no problems. A record's
     * compact-constructor {@link IllegalArgumentException} is reported at the section.
     */
    public <T> T build(Supplier<T> constructor) {
        finish();
        if (!clean()) {
            return null;
        }
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            error(what + ": " + e.getMessage());
            return null;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Optional<String> scalarText(String key, ConfigNode v) {
        if (v instanceof ConfigNode.Scalar s) {
            return Optional.of(s.text());
        }
        String hint = "";
        if (v instanceof ConfigNode.Sequence seq && seq.items().size() == 1
                && seq.items().get(0) instanceof ConfigNode.Scalar s && s.text().contains(":")) {
            // bind: [2001:db8::1] is valid YAML for a list of one string.
            hint = " (to YAML, brackets start a list: quote an IPv6 address, \"[" + s.text() + "]:port\")";
        }
        problems.add(v, "'" + key + "' must be a single value, not " + v.describe() + hint);
        return Optional.empty();
    }

    private String suggestion(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = editDistance(unknown.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        if (best != null && bestDistance <= Math.max(2, unknown.length() / 4)) {
            return "; did you mean '" + best + "'?";
        }
        return known.isEmpty() ? "" : "; expected one of: " + String.join(", ", known);
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** {@code DICOM_ECHO} as users write it: {@code dicom-echo}. */
    public static String kebab(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static <E extends Enum<E>> String choices(Class<E> type) {
        return java.util.Arrays.stream(type.getEnumConstants()).map(Section::kebab).collect(Collectors.joining(" | "));
    }
}

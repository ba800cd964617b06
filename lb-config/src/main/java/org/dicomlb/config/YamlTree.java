package org.dicomlb.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.Mark;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Parses YAML into a {@link ConfigNode} tree that keeps the line and column of every key and
 * value. We use Jackson's streaming YAML parser rather than data binding because binding stops
 * at the first problem and loses positions; validation must report every error in a file.
 *
 * <p>Anchors and aliases are expanded: {@code *name} stands for the node anchored
 * {@code &name} earlier in the file, located at the alias. Expansion is bounded so that a
 * hostile file cannot make a small text into a huge tree ("billion laughs"): the aliases of a
 * document may add at most {@link #MAX_ALIAS_NODES} nodes, and the expanded tree may nest at
 * most {@link #MAX_DEPTH} levels. Nodes are immutable, so an alias shares its anchor's children
 * instead of copying them; the bound is what keeps a reader's walk over the tree cheap.
 * An alias naming no anchor, an alias inside the node it names, and YAML 1.1 merge keys
 * ({@code <<}) are located errors.
 *
 * <p>Problems that leave the rest of the document readable (duplicate keys, bad aliases) are all
 * collected and reported together; a syntax error or an exceeded bound ends the parse.
 */
public final class YamlTree {
    /** Configs are written by people; anything larger is a mistake (a log file, a DICOM file). */
    static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    /** The deepest nesting of mappings and lists, aliases expanded. */
    static final int MAX_DEPTH = 64;
    /**
     * How many nodes the aliases of one document may add in all: each alias counts the nodes it
     * stands for. A large site's configuration has a few thousand nodes, so this leaves room for
     * any sensible use of aliases and refuses exponential expansion early.
     */
    static final int MAX_ALIAS_NODES = 100_000;

    private static final EventFactory FACTORY = new EventFactory();
    /** An IPv6 literal in brackets written without quotes, as in {@code bind: [::1]:104}. */
    private static final Pattern UNQUOTED_IPV6 =
            Pattern.compile("(?<![\"'\\w])\\[[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*(?:%[\\w.-]+)?](?::\\d{1,5})?");

    private YamlTree() {
    }

    /** Reads and parses a file. The file name in locations is the path as given. */
    public static ConfigNode load(Path path) throws ConfigException {
        String name = path.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw new ConfigException(new ConfigError(Location.startOf(name), "is a directory, not a configuration file"));
            }
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new ConfigException(new ConfigError(Location.startOf(name),
                        "file is " + size + " bytes; a configuration file may be at most " + MAX_FILE_BYTES));
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigException(new ConfigError(Location.startOf(name), "cannot read file: " + describe(e)));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(new ConfigError(Location.startOf(name), "file is not valid UTF-8 text"));
        }
        return parse(name, text);
    }

    /** Parses YAML text; {@code file} names the source in every location. */
    public static ConfigNode parse(String file, String text) throws ConfigException {
        // Each character is at least one UTF-8 byte: the same bound as load()'s, for text from elsewhere.
        if (text.length() > MAX_FILE_BYTES) {
            throw new ConfigException(new ConfigError(Location.startOf(file), "configuration is " + text.length()
                    + " characters; a configuration file may be at most " + MAX_FILE_BYTES + " bytes"));
        }
        List<ConfigError> errors = new ArrayList<>();
        ConfigNode root = null;
        try (EventParser parser = (EventParser) FACTORY.createParser(new StringReader(text))) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new ConfigException(new ConfigError(Location.startOf(file), "configuration is empty"));
            }
            root = new Reader(file, parser, errors).read(first, 0).node();
            if (parser.nextToken() != null) {
                errors.add(new ConfigError(location(file, parser.currentTokenLocation()),
                        "more than one YAML document; a configuration file holds exactly one"));
            }
        } catch (JsonProcessingException e) {
            errors.add(syntaxError(file, text, e));
        } catch (IOException e) {
            errors.add(new ConfigError(Location.startOf(file), "cannot parse: " + describe(e)));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return root;
    }

    /** A node as read, with what the bounds need: its node count (aliases expanded) and height. */
    private record Read(ConfigNode node, long size, int height) {
    }

    /** A node that an anchor names, and where the anchor is. */
    private record Anchored(Read read, Location at) {
    }

    private static final class Reader {
        private final String file;
        private final EventParser parser;
        private final List<ConfigError> errors;
        private final Map<String, Anchored> anchors = new HashMap<>();
        /** Anchors of the mappings and lists being read: an alias to one of them would be a cycle. */
        private final Map<String, Location> open = new HashMap<>();
        private long aliasNodes;

        Reader(String file, EventParser parser, List<ConfigError> errors) {
            this.file = file;
            this.parser = parser;
            this.errors = errors;
        }

        Read read(JsonToken token, int depth) throws IOException, ConfigException {
            Location at = location(file, parser.currentTokenLocation());
            if (depth > MAX_DEPTH) {
                throw fatal(at, "nested deeper than " + MAX_DEPTH + " levels");
            }
            Event event = parser.lastEvent();
            if (event instanceof AliasEvent alias) {
                return alias(alias.getAnchor(), at, depth);
            }
            // Jackson reports the anchors of mappings and lists only; the event has every node's.
            String anchor = event instanceof NodeEvent n ? n.getAnchor() : null;
            Location outer = anchor == null ? null : open.put(anchor, at);
            Read read = switch (token) {
                case START_OBJECT -> mapping(at, depth);
                case START_ARRAY -> sequence(at, depth);
                case VALUE_STRING -> scalar(parser.getText(), ConfigNode.Scalar.Kind.STRING, at);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> scalar(parser.getText(), ConfigNode.Scalar.Kind.NUMBER, at);
                case VALUE_TRUE, VALUE_FALSE -> scalar(parser.getText(), ConfigNode.Scalar.Kind.BOOLEAN, at);
                case VALUE_NULL -> scalar("", ConfigNode.Scalar.Kind.NULL, at);
                default -> {
                    errors.add(new ConfigError(at, "unexpected YAML content (" + token + ")"));
                    yield scalar("", ConfigNode.Scalar.Kind.NULL, at);
                }
            };
            if (anchor != null) {
                // A node may redefine an anchor of an enclosing one (legal YAML): the outer stays open.
                if (outer != null) {
                    open.put(anchor, outer);
                } else {
                    open.remove(anchor);
                }
                anchors.put(anchor, new Anchored(read, at));
            }
            return read;
        }

        private Read alias(String name, Location at, int depth) throws ConfigException {
            Location enclosing = open.get(name);
            if (enclosing != null) {
                errors.add(new ConfigError(at, "alias '*" + name + "' is inside the node it names (anchor '&" + name
                        + "' at line " + enclosing.line() + "); a configuration cannot contain itself"));
                return scalar("", ConfigNode.Scalar.Kind.NULL, at);
            }
            Anchored anchored = anchors.get(name);
            if (anchored == null) {
                errors.add(new ConfigError(at, "alias '*" + name + "' names no anchor; write '&" + name
                        + "' on a value above it"));
                return scalar("", ConfigNode.Scalar.Kind.NULL, at);
            }
            Read target = anchored.read();
            if (depth + target.height() > MAX_DEPTH) {
                throw fatal(at, "alias '*" + name + "' nests the document deeper than " + MAX_DEPTH + " levels");
            }
            aliasNodes += target.size();
            if (aliasNodes > MAX_ALIAS_NODES) {
                throw fatal(at, "aliases expand this document by more than " + MAX_ALIAS_NODES
                        + " values (at alias '*" + name + "'); a configuration never needs that many, so it is refused");
            }
            return new Read(relocated(target.node(), at), target.size(), target.height());
        }

        private Read mapping(Location at, int depth) throws IOException, ConfigException {
            List<ConfigNode.Mapping.Entry> entries = new ArrayList<>();
            Map<String, Location> seen = new HashMap<>();
            long size = 1;
            int height = 1;
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                String key = parser.currentName();
                Location keyAt = location(file, parser.currentTokenLocation());
                if (parser.lastEvent() instanceof ScalarEvent k) {
                    if (k.getAnchor() != null) {
                        anchors.put(k.getAnchor(), new Anchored(scalar(key, ConfigNode.Scalar.Kind.STRING, keyAt), keyAt));
                    }
                    if (k.isPlain() && key.equals("<<")) {
                        errors.add(new ConfigError(keyAt, "merge keys ('<<') are not supported: write the keys out,"
                                + " or alias the whole mapping (key: *name)"));
                    }
                }
                Read value = read(parser.nextToken(), depth + 1);
                size += value.size();
                height = Math.max(height, value.height() + 1);
                Location earlier = seen.putIfAbsent(key, keyAt);
                if (earlier != null) {
                    // A silently ignored duplicate is how a pool edit gets lost; refuse it.
                    errors.add(new ConfigError(keyAt, "duplicate key '" + key + "' (first at line " + earlier.line() + ")"));
                    continue;
                }
                entries.add(new ConfigNode.Mapping.Entry(key, keyAt, value.node()));
            }
            return new Read(new ConfigNode.Mapping(entries, at), size, height);
        }

        private Read sequence(Location at, int depth) throws IOException, ConfigException {
            List<ConfigNode> items = new ArrayList<>();
            long size = 1;
            int height = 1;
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                Read item = read(t, depth + 1);
                size += item.size();
                height = Math.max(height, item.height() + 1);
                items.add(item.node());
            }
            return new Read(new ConfigNode.Sequence(items, at), size, height);
        }

        private ConfigException fatal(Location at, String message) {
            List<ConfigError> all = new ArrayList<>(errors);
            all.add(new ConfigError(at, message));
            return new ConfigException(all);
        }
    }

    private static Read scalar(String text, ConfigNode.Scalar.Kind kind, Location at) {
        return new Read(new ConfigNode.Scalar(text, kind, at), 1, 0);
    }

    /** The anchored node as seen at its alias: errors about the value as a whole point at the alias. */
    private static ConfigNode relocated(ConfigNode node, Location at) {
        return switch (node) {
            case ConfigNode.Scalar s -> new ConfigNode.Scalar(s.text(), s.kind(), at);
            case ConfigNode.Sequence s -> new ConfigNode.Sequence(s.items(), at);
            case ConfigNode.Mapping m -> new ConfigNode.Mapping(m.entries(), at);
        };
    }

    private static ConfigError syntaxError(String file, String text, JsonProcessingException e) {
        Location at = location(file, e.getLocation());
        String message = firstLine(e.getOriginalMessage());
        if (e instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            // SnakeYAML marks the offending character; Jackson's location is where the parser
            // stood, which for a tab is the end of the line before it.
            Mark problem = marked.getProblemMark();
            at = new Location(file, problem.getLine() + 1, problem.getColumn() + 1);
            if (marked.getProblem() != null) {
                message = firstLine(marked.getProblem());
            }
        }
        if (message.contains("(TAB)")) {
            message = "a tab character; YAML indents with spaces only";
        } else if (message.startsWith("Expected a field name")) {
            message = message.contains("AliasEvent") ? "an alias cannot be a mapping key"
                    : "a mapping key must be a plain value, not a list or a mapping";
        }
        return new ConfigError(at, "YAML syntax: " + message + ipv6Hint(text, at.line()).orElse(""));
    }

    /** An unquoted {@code [v6]:port} breaks YAML's flow syntax; say so where it happens. */
    private static Optional<String> ipv6Hint(String text, int line) {
        String source = text.lines().skip(Math.max(0, line - 1)).findFirst().orElse("");
        Matcher m = UNQUOTED_IPV6.matcher(source);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(" (to YAML, brackets start a list: quote an IPv6 address, \"" + m.group() + "\")");
    }

    private static Location location(String file, JsonLocation loc) {
        if (loc == null || loc.getLineNr() < 1) {
            return Location.startOf(file);
        }
        return new Location(file, loc.getLineNr(), Math.max(1, loc.getColumnNr()));
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "malformed document";
        }
        String line = message.strip().lines().findFirst().orElse(message).strip();
        return line.endsWith(":") || line.endsWith(";") ? line.substring(0, line.length() - 1) : line;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Jackson's YAML factory, making {@link EventParser}s. SnakeYAML's own bound on a document's
     * size (3 MiB of code points by default) is raised to ours, so that one limit, with one
     * message, applies.
     */
    private static final class EventFactory extends YAMLFactory {
        EventFactory() {
            super(YAMLFactory.builder().loaderOptions(loaderOptions()));
        }

        private static LoaderOptions loaderOptions() {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(MAX_FILE_BYTES);
            return options;
        }

        @Override
        protected YAMLParser _createParser(java.io.Reader r, IOContext ctxt) throws IOException {
            return new EventParser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
        }
    }

    /**
     * Jackson's YAML parser, remembering the SnakeYAML event each token came from. Jackson
     * exposes the anchors of mappings and lists but not of scalars, and no scalar's style;
     * {@link YAMLParser#getEvent()} is the hook it offers for that.
     */
    private static final class EventParser extends YAMLParser {
        private Event last;

        EventParser(IOContext ctxt, int parserFeatures, int yamlFeatures, LoaderOptions options,
                com.fasterxml.jackson.core.ObjectCodec codec, java.io.Reader reader) {
            super(ctxt, parserFeatures, yamlFeatures, options, codec, reader);
        }

        @Override
        protected Event getEvent() throws IOException {
            last = super.getEvent();
            return last;
        }

        Event lastEvent() {
            return last;
        }
    }
}

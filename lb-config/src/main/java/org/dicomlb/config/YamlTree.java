package org.dicomlb.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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

/**
 * Parses YAML into a {@link ConfigNode} tree that keeps the line and column of every key and
 * value. We use Jackson's streaming YAML parser rather than data binding because binding stops
 * at the first problem and loses positions; validation must report every error in a file.
 */
public final class YamlTree {
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
    /** Configs are written by people; anything larger is a mistake (a log file, a DICOM file). */
    static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    private static final int MAX_DEPTH = 64;

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
        try (JsonParser parser = FACTORY.createParser(new StringReader(text))) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new ConfigException(new ConfigError(Location.startOf(file), "configuration is empty"));
            }
            ConfigNode root = new Reader(file, parser).read(first, 0);
            if (parser.nextToken() != null) {
                throw new ConfigException(new ConfigError(location(file, parser.currentTokenLocation()),
                        "more than one YAML document; a configuration file holds exactly one"));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(new ConfigError(location(file, e.getLocation()), "YAML syntax: " + firstLine(e.getOriginalMessage())));
        } catch (IOException e) {
            throw new ConfigException(new ConfigError(Location.startOf(file), "cannot parse: " + describe(e)));
        }
    }

    private record Reader(String file, JsonParser parser) {
        ConfigNode read(JsonToken token, int depth) throws IOException, ConfigException {
            Location at = location(file, parser.currentTokenLocation());
            if (depth > MAX_DEPTH) {
                throw new ConfigException(new ConfigError(at, "nested deeper than " + MAX_DEPTH + " levels"));
            }
            return switch (token) {
                case START_OBJECT -> mapping(at, depth);
                case START_ARRAY -> sequence(at, depth);
                case VALUE_STRING -> new ConfigNode.Scalar(parser.getText(), ConfigNode.Scalar.Kind.STRING, at);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                        new ConfigNode.Scalar(parser.getText(), ConfigNode.Scalar.Kind.NUMBER, at);
                case VALUE_TRUE, VALUE_FALSE -> new ConfigNode.Scalar(parser.getText(), ConfigNode.Scalar.Kind.BOOLEAN, at);
                case VALUE_NULL -> new ConfigNode.Scalar("", ConfigNode.Scalar.Kind.NULL, at);
                default -> throw new ConfigException(new ConfigError(at, "unexpected YAML content (" + token + ")"));
            };
        }

        private ConfigNode mapping(Location at, int depth) throws IOException, ConfigException {
            List<ConfigNode.Mapping.Entry> entries = new ArrayList<>();
            Map<String, Location> seen = new HashMap<>();
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                String key = parser.currentName();
                Location keyAt = location(file, parser.currentTokenLocation());
                ConfigNode value = read(parser.nextToken(), depth + 1);
                Location earlier = seen.putIfAbsent(key, keyAt);
                if (earlier != null) {
                    // A silently ignored duplicate is how a pool edit gets lost; refuse it.
                    throw new ConfigException(new ConfigError(keyAt,
                            "duplicate key '" + key + "' (first at line " + earlier.line() + ")"));
                }
                entries.add(new ConfigNode.Mapping.Entry(key, keyAt, value));
            }
            return new ConfigNode.Mapping(entries, at);
        }

        private ConfigNode sequence(Location at, int depth) throws IOException, ConfigException {
            List<ConfigNode> items = new ArrayList<>();
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                items.add(read(t, depth + 1));
            }
            return new ConfigNode.Sequence(items, at);
        }
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
}

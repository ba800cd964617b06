package org.dicomlb.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The JSON Schema of the configuration ({@code schema/dicomlb-config.schema.json}) stays true:
 * every configuration in the README, docs/*.md, the demo, the package's example and the tests'
 * files validates against
 * it, and it knows every key dicomlb's section readers accept. The readers are asked directly:
 * a key no reader knows is put into every mapping of a configuration that uses every feature,
 * and the "unknown key ...; expected one of: ..." each reader answers lists the keys it accepts
 * there.
 */
class ConfigSchemaTest {
    private static final Path ROOT = Path.of("..");
    private static final Path SCHEMA = ROOT.resolve("schema/dicomlb-config.schema.json");
    private static final Path DEMO = ROOT.resolve("lb-admin-cli/src/main/resources/org/dicomlb/cli/demo/demo.yaml");
    private static final Path EVERY_KEY = ROOT.resolve("lb-admin-cli/src/test/resources/org/dicomlb/cli/config/every-key.yaml");
    private static final Pattern YAML_BLOCK = Pattern.compile("^( *)```yaml\\n(.*?)^\\1```", Pattern.MULTILINE | Pattern.DOTALL);
    private static final Set<String> ROOT_KEYS = Set.of("admin", "listeners", "pools", "gslb", "vip");
    /** Doc snippets that show one part of a section, and where that part is in the schema. */
    private static final Map<String, String> FRAGMENTS = Map.of(
            "health-check", "/$defs/healthCheck",
            "failback", "/properties/gslb/properties/names/items/properties/failback",
            "certificate-bindings", "/properties/listeners/items/properties/certificate-bindings",
            "backends", "/properties/pools/items/properties/backends");
    private static final String PROBE = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
    private static final Pattern UNKNOWN = Pattern.compile("unknown key '" + PROBE + "(\\d+)' in .*?; expected one of: (.*)$");

    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode schemaJson = readSchema();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Schema schema = registry.getSchema(schemaJson.toString());

    private static JsonNode readSchema() {
        try {
            return JSON.readTree(SCHEMA.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SCHEMA, e);
        }
    }

    /**
     * Marks a documented block that lists keys rather than being one configuration (every key of
     * every check type at once): only its keys are checked against the schema.
     */
    private static final String KEYS_ONLY = "<!-- schema: keys only";

    /** A configuration (or a documented part of one) and where it was found. */
    private record Example(String where, String yaml, boolean keysOnly) {
        Example(String where, String yaml) {
            this(where, yaml, false);
        }
    }

    private static Object load(String yaml) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    }

    private static List<Example> documented() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Example> out = new ArrayList<>();
        for (Path f : files) {
            Matcher m = YAML_BLOCK.matcher(Files.readString(f));
            while (m.find()) {
                int indent = m.group(1).length();
                StringBuilder body = new StringBuilder();
                for (String line : m.group(2).split("\n", -1)) {
                    body.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
                }
                String before = Files.readString(f).substring(0, m.start());
                int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
                String[] previous = before.strip().split("\n");
                boolean keysOnly = previous[previous.length - 1].strip().startsWith(KEYS_ONLY);
                out.add(new Example(f.normalize() + ":" + line, body.toString(), keysOnly));
            }
        }
        return out;
    }

    private static List<Example> files(Path... paths) throws IOException {
        List<Example> out = new ArrayList<>();
        for (Path p : paths) {
            out.add(new Example(p.normalize().toString(), Files.readString(p)));
        }
        return out;
    }

    /** The example configuration the package installs (packaging/), wherever it is in that tree. */
    private static List<Example> packaged() throws IOException {
        Path packaging = ROOT.resolve("packaging");
        List<Example> out = new ArrayList<>();
        if (!Files.isDirectory(packaging)) {
            return out;
        }
        try (Stream<Path> all = Files.walk(packaging)) {
            for (Path p : all.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("/target/")).sorted().toList()) {
                out.add(new Example(p.normalize().toString(), Files.readString(p)));
            }
        }
        return out;
    }

    /** Configuration files among the tests' resources (the fuzz seeds too) that dicomlb accepts. */
    private static List<Example> acceptedTestConfigs() throws IOException {
        List<Example> out = new ArrayList<>();
        try (Stream<Path> all = Files.walk(ROOT)) {
            for (Path p : all.filter(p -> p.toString().endsWith(".yaml") && p.toString().contains("/src/test/resources/")
                    && !p.toString().contains("/target/")).sorted().toList()) {
                String yaml = Files.readString(p);
                try {
                    RootConfigReader.parse(p.toString(), yaml);
                    out.add(new Example(p.normalize().toString(), yaml));
                } catch (ConfigException e) {
                    // a file of deliberate mistakes (a fuzz seed, an error test): not an example
                }
            }
        }
        return out;
    }

    /** The schema with {@code pointer} as its root: a reference into a copy that keeps every definition. */
    private JsonNode fragmentSchema(String pointer) {
        com.fasterxml.jackson.databind.node.ObjectNode wrapper = schemaJson.deepCopy();
        wrapper.remove(List.of("$id", "type", "additionalProperties", "required"));
        wrapper.put("$ref", "#" + pointer);
        return wrapper;
    }

    private List<String> problems(JsonNode instance, JsonNode schemaPart) {
        Schema s = schemaPart == null ? schema : registry.getSchema(schemaPart.toString());
        List<String> out = new ArrayList<>();
        for (Error e : s.validate(instance)) {
            out.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        return out;
    }

    @Test
    void theConfigurationWithEveryKeyIsOneDicomlbAccepts() throws Exception {
        RootConfig c = RootConfigReader.parse(EVERY_KEY.toString(), Files.readString(EVERY_KEY));
        assertThat(c.gslb()).isPresent();
        assertThat(c.vip()).isPresent();
    }

    @Test
    void everyExampleAndTestConfigurationValidates() throws IOException {
        List<Example> examples = new ArrayList<>(documented());
        examples.addAll(files(DEMO, EVERY_KEY));
        examples.addAll(packaged());
        examples.addAll(acceptedTestConfigs());
        int whole = 0;
        int fragments = 0;
        Map<String, List<String>> failures = new LinkedHashMap<>();
        for (Example ex : examples) {
            Object doc = load(ex.yaml());
            assertThat(doc).as(ex.where() + " is a YAML mapping").isInstanceOf(Map.class);
            Map<?, ?> map = (Map<?, ?>) doc;
            JsonNode node = JSON.valueToTree(doc);
            List<String> problems;
            if (ex.keysOnly()) {
                problems = unknownKeys(map, new ArrayList<>(), ex);
                fragments++;
            } else if (ROOT_KEYS.containsAll(map.keySet())) {
                problems = problems(node, null);
                whole++;
            } else {
                assertThat(map).as(ex.where() + ": a yaml block that is neither a configuration nor a known part of one")
                        .hasSize(1);
                String key = (String) map.keySet().iterator().next();
                assertThat(FRAGMENTS).as(ex.where() + ": which part of the schema '" + key + "' is").containsKey(key);
                problems = problems(node.get(key), fragmentSchema(FRAGMENTS.get(key)));
                fragments++;
            }
            if (!problems.isEmpty()) {
                failures.put(ex.where(), problems);
            }
        }
        assertThat(failures).as("configurations the schema refuses").isEmpty();
        assertThat(whole).as("whole configurations checked").isGreaterThanOrEqualTo(8);
        assertThat(fragments).isGreaterThanOrEqualTo(2);
    }

    @Test
    void theSchemaRefusesMistakesAnEditorShouldFlag() {
        String[] wrong = {
            "listeners: [{ name: l, bind: 127.0.0.1:104, pool: p, balanse: first }]",
            "pools: [{ name: p, balance: random, backends: [{ name: b, address: 127.0.0.1:1 }] }]",
            "pools: [{ name: p, backends: [{ name: b, address: 127.0.0.1:1 }], health-check: { interval: 2 } }]",
            "pools: [{ name: p, backends: [{ name: b, address: 127.0.0.1:1 }], health-check: { type: tcp, path: /x } }]",
            "listeners: [{ name: l, bind: 127.0.0.1:104, mode: tcp, pool: p, observe-pdus: true }]",
            "listeners: [{ name: l, bind: 192.0.2.10:104, mode: dsr, pool: p }]",
            "listeners: [{ name: l, bind: 192.0.2.10:104, mode: nat, interface: eth0, pool: p }]",
            "listeners: [{ name: l, bind: 192.0.2.10:104, mode: dsr, interface: eth0, source: appliance, pool: p }]",
            "listeners: [{ name: l, bind: 127.0.0.1:80, mode: tcp, pool: p, persistence: cookie }]",
            "listeners: [{ name: l, bind: 127.0.0.1:80, mode: http, pool: p, persistence: sticky }]",
            "admin: { listen: localhost:9900 }",
            "vip-typo: {}",
        };
        for (String yaml : wrong) {
            assertThat(problems(JSON.valueToTree(load(yaml)), null)).as(yaml).isNotEmpty();
        }
    }

    /**
     * For each mapping of {@code every-key.yaml} (and the documented configurations), the keys its
     * reader accepts must be properties the schema has at that place.
     */
    @Test
    void theSchemaKnowsEveryKeyTheReadersAccept() throws IOException {
        List<Example> sources = new ArrayList<>(files(EVERY_KEY, DEMO));
        sources.addAll(packaged());
        documented().stream().filter(e -> load(e.yaml()) instanceof Map<?, ?> m && ROOT_KEYS.containsAll(m.keySet()))
                .forEach(sources::add);
        Set<String> checked = new TreeSet<>();
        Map<String, Set<String>> missing = new LinkedHashMap<>();
        for (Example source : sources) {
            List<List<Object>> paths = new ArrayList<>();
            Object probed = probe(load(source.yaml()), new ArrayList<>(), paths);
            DumperOptions options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            String yaml = new Yaml(options).dump(probed);
            List<ConfigError> errors;
            try {
                RootConfigReader.parse(source.where(), yaml);
                throw new AssertionError(source.where() + ": probe keys were accepted");
            } catch (ConfigException e) {
                errors = e.errors();
            }
            for (ConfigError err : errors) {
                Matcher m = UNKNOWN.matcher(err.message());
                if (!m.find()) {
                    continue;
                }
                List<Object> path = paths.get(Integer.parseInt(m.group(1)));
                String where = shape(path);
                checked.add(where);
                Set<String> known = schemaProperties(path);
                for (String key : m.group(2).split(", ")) {
                    if (!known.contains(key.strip())) {
                        missing.computeIfAbsent(where, k -> new TreeSet<>()).add(key.strip());
                    }
                }
            }
        }
        assertThat(missing).as("keys the readers accept that the schema does not have").isEmpty();
        assertThat(checked).as("the sections the readers were asked about").contains("/", "/admin", "/listeners[]",
                "/listeners[]/timeouts", "/listeners[]/routes[]", "/pools[]", "/pools[]/queue", "/pools[]/health-check",
                "/pools[]/health-check/observe", "/pools[]/backends[]", "/gslb", "/gslb/zones[]", "/gslb/zones[]/nameservers[]",
                "/gslb/names[]", "/gslb/names[]/failback", "/gslb/names[]/failback/gate", "/gslb/names[]/members[]",
                "/gslb/names[]/members[]/check", "/gslb/limits", "/gslb/limits/rate-limit", "/vip", "/vip/track",
                "/admin/tls", "/listeners[]/tls", "/listeners[]/source-limits", "/pools[]/tls",
                "/listeners[]/forwarded", "/listeners[]/backend-keep-alive", "/listeners[]/proxy-protocol",
                "/listeners[]/request-headers", "/listeners[]/routes[]/persistence", "/listeners[]/routes[]/request-headers");
    }

    /** Keys of a keys-only block the schema does not have (the block is a part named by its one key). */
    private List<String> unknownKeys(Map<?, ?> map, List<Object> path, Example ex) {
        List<String> out = new ArrayList<>();
        if (path.isEmpty()) {
            assertThat(map).as(ex.where()).hasSize(1);
            String key = (String) map.keySet().iterator().next();
            assertThat(FRAGMENTS).as(ex.where()).containsKey(key);
            List<Object> start = new ArrayList<>();
            for (String step : FRAGMENTS.get(key).substring(1).split("/")) {
                start.add(step);
            }
            return keysUnder(map.get(key), start, ex);
        }
        return out;
    }

    private List<String> keysUnder(Object node, List<Object> schemaPointer, Example ex) {
        List<String> out = new ArrayList<>();
        if (!(node instanceof Map<?, ?> map)) {
            return out;
        }
        JsonNode at = schemaJson;
        for (Object step : schemaPointer) {
            at = at.path((String) step);
        }
        Set<String> known = new LinkedHashSet<>();
        expand(List.of(at)).forEach(s -> s.path("properties").fieldNames().forEachRemaining(known::add));
        for (var e : map.entrySet()) {
            String key = (String) e.getKey();
            if (!known.contains(key)) {
                out.add("unknown key '" + key + "'");
            } else if (e.getValue() instanceof Map<?, ?>) {
                List<Object> deeper = new ArrayList<>(schemaPointer);
                deeper.add("properties");
                deeper.add(key);
                out.addAll(keysUnder(e.getValue(), deeper, ex));
            }
        }
        return out;
    }

    /** A copy of {@code node} with a numbered probe key in every mapping; {@code paths} gets each mapping's path. */
    private static Object probe(Object node, List<Object> path, List<List<Object>> paths) {
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (var e : map.entrySet()) {
                List<Object> p = new ArrayList<>(path);
                p.add(e.getKey());
                copy.put(e.getKey(), probe(e.getValue(), p, paths));
            }
            copy.put(PROBE + paths.size(), 0);
            paths.add(List.copyOf(path));
            return copy;
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                List<Object> p = new ArrayList<>(path);
                p.add(i);
                copy.add(probe(list.get(i), p, paths));
            }
            return copy;
        }
        return node;
    }

    private static String shape(List<Object> path) {
        StringBuilder sb = new StringBuilder();
        for (Object step : path) {
            if (step instanceof Integer) {
                sb.append("[]");
            } else {
                sb.append('/').append(step);
            }
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    /** The property names the schema allows for the mapping at {@code path}. */
    private Set<String> schemaProperties(List<Object> path) {
        List<JsonNode> at = List.of(schemaJson);
        for (Object step : path) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode s : expand(at)) {
                JsonNode child = step instanceof Integer ? s.get("items") : s.path("properties").get((String) step);
                if (child != null) {
                    next.add(child);
                }
            }
            at = next;
        }
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode s : expand(at)) {
            Iterator<String> it = s.path("properties").fieldNames();
            it.forEachRemaining(names::add);
        }
        return names;
    }

    /** The schemas {@code nodes} stand for: $ref resolved, anyOf/oneOf/allOf branches included. */
    private List<JsonNode> expand(List<JsonNode> nodes) {
        List<JsonNode> out = new ArrayList<>();
        List<JsonNode> pending = new ArrayList<>(nodes);
        while (!pending.isEmpty()) {
            JsonNode n = pending.removeFirst();
            if (n.has("$ref")) {
                pending.add(schemaJson.at(n.get("$ref").asText().substring(1)));
                continue;
            }
            out.add(n);
            for (String k : List.of("anyOf", "oneOf", "allOf")) {
                n.path(k).forEach(pending::add);
            }
        }
        return out;
    }
}

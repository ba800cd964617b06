package org.dicomlb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class YamlTreeTest {

    @Test
    void keepsLineAndColumnOfKeysAndValues() throws Exception {
        ConfigNode root = YamlTree.parse("f.yaml", """
                listeners:
                  - name: dicom
                    bind: 127.0.0.1:104
                """);
        var listeners = (ConfigNode.Sequence) ((ConfigNode.Mapping) root).entry("listeners").orElseThrow().value();
        var first = (ConfigNode.Mapping) listeners.items().get(0);
        var bind = first.entry("bind").orElseThrow();
        assertThat(bind.keyLocation()).isEqualTo(new Location("f.yaml", 3, 5));
        assertThat(bind.value().location()).isEqualTo(new Location("f.yaml", 3, 11));
        assertThat(((ConfigNode.Scalar) bind.value()).text()).isEqualTo("127.0.0.1:104");
    }

    @Test
    void distinguishesScalarKinds() throws Exception {
        var m = (ConfigNode.Mapping) YamlTree.parse("f", "a: 10\nb: true\nc: ~\nd: '10'\ne: 10s\n");
        assertThat(kind(m, "a")).isEqualTo(ConfigNode.Scalar.Kind.NUMBER);
        assertThat(kind(m, "b")).isEqualTo(ConfigNode.Scalar.Kind.BOOLEAN);
        assertThat(kind(m, "c")).isEqualTo(ConfigNode.Scalar.Kind.NULL);
        assertThat(kind(m, "d")).isEqualTo(ConfigNode.Scalar.Kind.STRING);
        assertThat(kind(m, "e")).isEqualTo(ConfigNode.Scalar.Kind.STRING);
    }

    @Test
    void duplicateKeyIsAnErrorAtTheSecondKey() {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "pools: []\nadmin: {}\npools: []\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("f.yaml:3:1: duplicate key 'pools' (first at line 1)");
    }

    @Test
    void syntaxErrorIsLocated() {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "a: [1, 2\nb: 3\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("f.yaml:")
                .hasMessageContaining("YAML syntax");
    }

    @Test
    void emptyAndMissingFilesAreErrors(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "# nothing\n");
        assertThatThrownBy(() -> YamlTree.load(empty)).hasMessageEndingWith(":1:1: configuration is empty");
        assertThatThrownBy(() -> YamlTree.load(dir.resolve("missing.yaml")))
                .hasMessageEndingWith("missing.yaml:1:1: cannot read file: no such file");
    }

    @Test
    void rejectsNonUtf8() throws Exception {
        Path dir = Files.createTempDirectory("cfg");
        Path bad = Files.write(dir.resolve("bad.yaml"), new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> YamlTree.load(bad)).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void everyDuplicateKeyIsReportedNotJustTheFirst() {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", """
                pools: []
                admin: {}
                pools: []
                listeners:
                  - { name: a, bind: 127.0.0.1:104, name: b }
                admin: {}
                """))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString).containsExactly(
                        "f.yaml:3:1: duplicate key 'pools' (first at line 1)",
                        "f.yaml:5:37: duplicate key 'name' (first at line 5)",
                        "f.yaml:6:1: duplicate key 'admin' (first at line 2)"));
    }

    @Test
    void aTabIsReportedWhereItIs() {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "pools:\n  - name: a\n\tbackends: []\n"))
                .hasMessage("f.yaml:3:1: YAML syntax: a tab character; YAML indents with spaces only");
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "pools:\n\t- name: a\n"))
                .hasMessage("f.yaml:2:1: YAML syntax: a tab character; YAML indents with spaces only");
    }

    @Test
    void anUnquotedIpv6AddressGetsAHintToQuoteIt() throws Exception {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "listeners:\n  - name: a\n    bind: [::1]:11112\n"))
                .hasMessage("f.yaml:3:12: YAML syntax: expected the node content, but found ':'"
                        + " (to YAML, brackets start a list: quote an IPv6 address, \"[::1]:11112\")");
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "bind: [2001:db8::7]:104\n"))
                .hasMessageStartingWith("f.yaml:1:20: YAML syntax: ")
                .hasMessageEndingWith("quote an IPv6 address, \"[2001:db8::7]:104\")");
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "resolvers: [[::1]:53, 127.0.0.1:53]\n"))
                .hasMessageEndingWith("quote an IPv6 address, \"[::1]:53\")");
        // Quoted, it is a plain string.
        assertThat(text(YamlTree.parse("f.yaml", "bind: \"[::1]:11112\"\n"), "bind")).isEqualTo("[::1]:11112");
    }

    @Test
    void aliasesStandForTheirAnchorsValueAndAreLocatedAtTheAlias() throws Exception {
        var root = (ConfigNode.Mapping) YamlTree.parse("f.yaml", """
                allowed-calling-aes: [&ct CT01, MR01]
                check: &hc { type: dicom-echo, interval: 2s }
                routes:
                  - { calling-ae: *ct, pool: ct }
                other-check: *hc
                """);
        var route = (ConfigNode.Mapping) ((ConfigNode.Sequence) root.entry("routes").orElseThrow().value()).items().get(0);
        var callingAe = (ConfigNode.Scalar) route.entry("calling-ae").orElseThrow().value();
        assertThat(callingAe.text()).isEqualTo("CT01");
        assertThat(callingAe.kind()).isEqualTo(ConfigNode.Scalar.Kind.STRING);
        assertThat(callingAe.location()).isEqualTo(new Location("f.yaml", 4, 19));
        var check = (ConfigNode.Mapping) root.entry("other-check").orElseThrow().value();
        assertThat(check.location()).isEqualTo(new Location("f.yaml", 5, 14));
        assertThat(text(check, "type")).isEqualTo("dicom-echo");
        assertThat(text(check, "interval")).isEqualTo("2s");
        // Inside the aliased mapping, keys keep the place they were written.
        assertThat(check.entry("type").orElseThrow().keyLocation()).isEqualTo(new Location("f.yaml", 2, 14));
    }

    @Test
    void aRedefinedAnchorMeansItsLatestValue() throws Exception {
        var root = (ConfigNode.Mapping) YamlTree.parse("f.yaml", "a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
        assertThat(text(root, "b")).isEqualTo("1");
        assertThat(text(root, "d")).isEqualTo("2");
    }

    @Test
    void anAliasWithoutAnAnchorIsAnErrorAndEveryOneIsReported() {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "a: *nope\nb: [1, *other]\nc: &late 3\n"))
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString).containsExactly(
                        "f.yaml:1:4: alias '*nope' names no anchor; write '&nope' on a value above it",
                        "f.yaml:2:8: alias '*other' names no anchor; write '&other' on a value above it"));
        // YAML reads top to bottom: an anchor further down is not defined yet.
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "a: *late\nb: &late 3\n"))
                .hasMessage("f.yaml:1:4: alias '*late' names no anchor; write '&late' on a value above it");
    }

    @Test
    void aRecursiveStructureIsRefused() {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "a: &r [1, *r]\n"))
                .hasMessage("f.yaml:1:11: alias '*r' is inside the node it names (anchor '&r' at line 1);"
                        + " a configuration cannot contain itself");
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "pools: &p\n  - name: a\n    backends: *p\n"))
                .hasMessageContaining("f.yaml:3:15: alias '*p' is inside the node it names");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBillionLaughsFileIsRefusedAtTheAliasThatCrossesTheBound() {
        StringBuilder yaml = new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i <= 9; i++) {
            yaml.append("l").append(i).append(": &l").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
            }
            yaml.append("]\n");
        }
        // Fully expanded that is 10^10 strings. Level 3 holds 11,111 nodes; with the 12,330 that the
        // aliases of levels 1 to 3 added, the eighth alias to it (line 5) crosses 100,000.
        assertThatThrownBy(() -> YamlTree.parse("laughs.yaml", yaml.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("laughs.yaml:5:45: aliases expand this document by more than 100000 values"
                        + " (at alias '*l3'); a configuration never needs that many, so it is refused");
    }

    @Test
    void aliasesCannotNestTheDocumentDeeperThanTheBound() {
        String deep = "[".repeat(40) + "]".repeat(40);
        // Each alias adds 40 levels to its anchor's; the second level of nesting crosses 64.
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "a: &d " + deep + "\nb: &e [[[[[[[[[[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]]]]]]]]\n"))
                .hasMessageContaining("alias '*d' nests the document deeper than 64 levels");
    }

    @Test
    void mergeKeysAreRefusedWithAWayOut() throws Exception {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "base: &b {weight: 2}\nbackend: {<<: *b, name: a}\n"))
                .hasMessage("f.yaml:2:11: merge keys ('<<') are not supported: write the keys out,"
                        + " or alias the whole mapping (key: *name)");
        // Quoted, '<<' is an ordinary key (and a schema reader will call it unknown).
        assertThat(text(YamlTree.parse("f.yaml", "\"<<\": x\n"), "<<")).isEqualTo("x");
    }

    @Test
    void anAliasAsAKeyIsRefused() {
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", "a: &k name\nb: {*k : x}\n"))
                .hasMessageContaining("YAML syntax: an alias cannot be a mapping key");
    }

    @Test
    void textLongerThanAFileMayBeIsRefusedBeforeParsing() {
        String huge = "a: " + "x".repeat(YamlTree.MAX_FILE_BYTES) + "\n";
        assertThatThrownBy(() -> YamlTree.parse("f.yaml", huge))
                .hasMessage("f.yaml:1:1: configuration is " + huge.length()
                        + " characters; a configuration file may be at most 4194304 bytes");
        // Up to the bound, a large file parses: SnakeYAML's own 3 MiB limit is raised to ours.
        String large = "a: " + "x".repeat(3_500_000) + "\n";
        assertThat(((ConfigNode.Mapping) parseUnchecked(large)).entries()).hasSize(1);
    }

    private static ConfigNode parseUnchecked(String yaml) {
        try {
            return YamlTree.parse("f.yaml", yaml);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static String text(ConfigNode node, String key) {
        return ((ConfigNode.Scalar) ((ConfigNode.Mapping) node).entry(key).orElseThrow().value()).text();
    }

    private static ConfigNode.Scalar.Kind kind(ConfigNode.Mapping m, String key) {
        return ((ConfigNode.Scalar) m.entry(key).orElseThrow().value()).kind();
    }
}

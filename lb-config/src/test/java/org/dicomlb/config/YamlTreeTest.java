package org.dicomlb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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

    private static ConfigNode.Scalar.Kind kind(ConfigNode.Mapping m, String key) {
        return ((ConfigNode.Scalar) m.entry(key).orElseThrow().value()).kind();
    }
}

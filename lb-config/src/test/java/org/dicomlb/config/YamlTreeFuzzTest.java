package org.dicomlb.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link YamlTree#parse}: any text gives a tree or a
 * {@link ConfigException} whose errors are located inside the text, never another exception;
 * the tree stays within the documented bounds (depth, nodes added by aliases) however the text
 * uses anchors; and the parser keeps no state that garbage could spoil.
 *
 * <p>Seeds: {@code src/test/resources/org/dicomlb/config/YamlTreeFuzzTestInputs/parse/}. See
 * docs/development.md#fuzzing.
 */
class YamlTreeFuzzTest {
    private static final int MAX_INPUT = 64 * 1024;
    private static final String VALID = "pools:\n  - name: a\n    backends: [&b { name: b1 }, *b]\n";

    // The timeout becomes libFuzzer's budget per input (JUnit's own is off in the fuzz run).
    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    // libFuzzer's dictionary syntax: control characters and quotes as \xNN escapes.
    @DictionaryEntries({"&a ", "*a", "&b [", "*b, *b", "<<: ", ": ", "- ", "? ", "[", "]", "{", "}", ",", "\\x09",
            "\\x22", "'", "!!str ", "!!binary ", "!!map", "---\\x0A", "...\\x0A", "|\\x0A", ">-\\x0A", "#",
            "%YAML 1.1\\x0A", "%TAG ! tag:x,2000:\\x0A", "\\x0A  ", "~", "null", "true", "0x1F", "1e9", "[::1]:104",
            "\\xE2\\x80\\xA8", "\\x0D"})
    void parse(byte[] data) throws ConfigException {
        if (data.length > MAX_INPUT) {
            return;
        }
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            ConfigNode root = YamlTree.parse("fuzz.yaml", text);
            long[] nodes = {0};
            walk(root, 0, nodes);
            assertThat(nodes[0]).as("nodes, aliases expanded").isLessThanOrEqualTo(4L * text.length() + YamlTree.MAX_ALIAS_NODES + 16);
        } catch (ConfigException e) {
            long lines = text.chars().filter(c -> c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029).count() + 1;
            assertThat(e.errors()).isNotEmpty().allSatisfy(error -> {
                assertThat(error.location().file()).isEqualTo("fuzz.yaml");
                assertThat(error.location().line()).isBetween(1, (int) lines + 1);
                assertThat(error.location().column()).isPositive();
                assertThat(error.message()).isNotBlank();
            });
        }
        ConfigNode valid = YamlTree.parse("valid.yaml", VALID);
        assertThat(valid).isInstanceOf(ConfigNode.Mapping.class);
    }

    private static void walk(ConfigNode node, int depth, long[] nodes) {
        assertThat(depth).as("depth").isLessThanOrEqualTo(YamlTree.MAX_DEPTH);
        nodes[0]++;
        switch (node) {
            case ConfigNode.Scalar s -> assertThat(s.text()).isNotNull();
            case ConfigNode.Sequence s -> s.items().forEach(item -> walk(item, depth + 1, nodes));
            case ConfigNode.Mapping m -> m.entries().forEach(entry -> walk(entry.value(), depth + 1, nodes));
        }
    }
}

package org.dicomlb.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SectionTest {
    enum Mode { TCP, DICOM, HTTP_PLAIN }

    private final Problems problems = new Problems();

    private Section section(String yaml) throws ConfigException {
        return Section.of(YamlTree.parse("f.yaml", yaml), problems, "listener 'x'").orElseThrow();
    }

    @Test
    void readsTypedValues() throws Exception {
        Section s = section("""
                bind: "[::1]:104"
                idle: 1m30s
                mode: http-plain
                max: 20
                on: true
                names: [a, b]
                """);
        assertThat(s.requiredAddress("bind")).isEqualTo(new InetSocketAddress("::1", 104));
        assertThat(s.duration("idle", Duration.ZERO)).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.choice("mode", Mode.class, Mode.TCP)).isEqualTo(Mode.HTTP_PLAIN);
        assertThat(s.integer("max", 0, 1, 100)).isEqualTo(20);
        assertThat(s.bool("on", false)).isTrue();
        assertThat(s.strings("names")).containsExactly("a", "b");
        assertThat(s.integer("absent", 7, 1, 100)).isEqualTo(7);
        s.finish();
        assertThat(problems.errors()).isEmpty();
    }

    @Test
    void collectsEveryErrorWithItsPosition() throws Exception {
        Section s = section("""
                bind: 127.0.0.1:70000
                idle: 10
                mode: udp
                max: lots
                balanse: leastconn
                """);
        s.requiredAddress("bind");
        s.duration("idle", Duration.ZERO);
        s.choice("mode", Mode.class, Mode.TCP);
        s.integer("max", 0, 1, 100);
        s.optionalString("balance");
        s.requiredString("name");
        s.finish();
        assertThat(problems.errors()).extracting(ConfigError::toString).containsExactly(
                "f.yaml:1:7: 'bind': '127.0.0.1:70000': port 70000 is out of range 1..65535",
                "f.yaml:2:7: 'idle': '10' is not a duration; write e.g. 500ms, 10s, 5m, 1h or 1m30s",
                "f.yaml:3:7: 'mode' must be one of tcp | dicom | http-plain, not 'udp'",
                "f.yaml:4:6: 'max' must be a whole number, not 'lots'",
                "f.yaml:1:1: listener 'x' needs 'name'",
                "f.yaml:5:1: unknown key 'balanse' in listener 'x'; did you mean 'balance'?");
    }

    @Test
    void buildReportsConstructorFailuresAndSkipsOnErrors() throws Exception {
        Section s = section("a: 1\n");
        s.integer("a", 0, 0, 9);
        String v = s.build(() -> {
            throw new IllegalArgumentException("weights must not all be zero");
        });
        assertThat(v).isNull();
        assertThat(problems.errors()).extracting(ConfigError::toString)
                .containsExactly("f.yaml:1:1: listener 'x': weights must not all be zero");
    }

    @Test
    void anIpv6AddressThatYamlReadAsAListGetsAHint() throws Exception {
        Section s = section("bind: [2001:db8::1]\nname: [a]\n");
        s.optionalAddress("bind");
        s.optionalString("name");
        assertThat(problems.errors()).extracting(ConfigError::toString).containsExactly(
                "f.yaml:1:7: 'bind' must be a single value, not a list"
                        + " (to YAML, brackets start a list: quote an IPv6 address, \"[2001:db8::1]:port\")",
                "f.yaml:2:7: 'name' must be a single value, not a list");
    }

    @Test
    void wrongShapeIsReported() throws Exception {
        Section s = section("routes: 5\nbackends: {a: 1}\n");
        assertThat(s.sections("routes", "route")).isEmpty();
        assertThat(s.section("backends")).isPresent();
        assertThat(problems.errors()).extracting(ConfigError::toString)
                .containsExactly("f.yaml:1:9: 'routes' must be a list, not '5'");
    }
}

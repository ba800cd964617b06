package org.dicomlb.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigException;
import org.dicomlb.engine.config.AePattern;
import org.dicomlb.engine.config.DicomRoute;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.healthcheck.config.DicomEchoProbe;
import org.junit.jupiter.api.Test;

/**
 * The configuration findings of issue 23, through the whole root reader as {@code dicomlb
 * validate} and {@code run} see a file: aliases mean their anchors' values, and the mistakes
 * that used to validate silently or be reported in the wrong place are located errors.
 */
class ConfigFindingsTest {

    @Test
    void aliasesRouteByTheAnchoredTitleNotByTheAliasName() throws Exception {
        EngineConfig c = RootConfigReader.parse("dicomlb.yaml", """
                listeners:
                  - name: dicom
                    bind: 127.0.0.1:10104
                    mode: dicom
                    pool: archive
                    allowed-calling-aes: [&ct CT01, MR01]
                    routes:
                      - { calling-ae: *ct, pool: ct-archive }
                pools:
                  - name: archive
                    health-check: &echo { type: dicom-echo, interval: 2s, called-ae: ARCHIVE }
                    backends: [{ name: a1, address: 127.0.0.11:104 }]
                  - name: ct-archive
                    health-check: *echo
                    backends: [{ name: c1, address: 127.0.0.21:104 }]
                """).engine();
        DicomRoute route = ((org.dicomlb.engine.config.DicomMode) c.listeners().get(0).mode()).routes().get(0);
        assertThat(route.callingAe()).contains(AePattern.parse("CT01"));
        assertThat(route.matches("ANY", "CT01", java.net.InetAddress.getLoopbackAddress(), java.util.List.of())).isTrue();
        assertThat(route.matches("ANY", "ct", java.net.InetAddress.getLoopbackAddress(), java.util.List.of())).isFalse();
        PoolConfig ct = c.pool("ct-archive").orElseThrow();
        assertThat(ct.healthCheck()).isEqualTo(c.pool("archive").orElseThrow().healthCheck());
        assertThat(ct.healthCheck().orElseThrow().probe()).isInstanceOfSatisfying(DicomEchoProbe.class,
                p -> assertThat(p.calledAe().orElseThrow().toString()).isEqualTo("ARCHIVE"));
    }

    @Test
    void aPoolWhoseBackendsAllWeighZeroIsALocatedError() {
        assertThat(errors("""
                listeners: [{ name: l, bind: 127.0.0.1:10104, pool: p }]
                pools:
                  - name: p
                    backends:
                      - { name: a, address: 127.0.0.11:104, weight: 0 }
                      - { name: b, address: 127.0.0.12:104, weight: 0, backup: true }
                """)).containsExactly(
                "f.yaml:5:7: pool 'p': every backend has weight 0, so the pool can never take a connection;"
                        + " give at least one a weight above 0");
    }

    @Test
    void oneBackendAboveZeroIsEnoughEvenABackup() throws Exception {
        EngineConfig c = RootConfigReader.parse("f.yaml", """
                listeners: [{ name: l, bind: 127.0.0.1:10104, pool: p }]
                pools:
                  - name: p
                    backends:
                      - { name: a, address: 127.0.0.11:104, weight: 0 }
                      - { name: dr, address: 127.0.0.12:104, backup: true }
                """).engine();
        assertThat(c.pool("p").orElseThrow().backends()).hasSize(2);
    }

    @Test
    void everyDuplicateKeyOfTheFileIsReported() {
        assertThat(errors("""
                listeners:
                  - { name: l, bind: 127.0.0.1:10104, pool: p, pool: q }
                pools:
                  - name: p
                    backends: [{ name: a, address: 127.0.0.11:104 }]
                    balance: first
                    balance: leastconn
                listeners: []
                """)).containsExactly(
                "f.yaml:2:48: duplicate key 'pool' (first at line 2)",
                "f.yaml:7:5: duplicate key 'balance' (first at line 6)",
                "f.yaml:8:1: duplicate key 'listeners' (first at line 1)");
    }

    @Test
    void aTabIndentIsReportedAtTheTab() {
        assertThat(errors("listeners:\n  - name: l\n\tbind: 127.0.0.1:10104\n"))
                .containsExactly("f.yaml:3:1: YAML syntax: a tab character; YAML indents with spaces only");
    }

    @Test
    void anUnquotedIpv6BindSaysToQuoteIt() {
        assertThat(errors("""
                listeners:
                  - name: l
                    bind: [::1]:11112
                    pool: p
                """)).singleElement().asString()
                .startsWith("f.yaml:3:12: YAML syntax: ")
                .endsWith("(to YAML, brackets start a list: quote an IPv6 address, \"[::1]:11112\")");
    }

    @Test
    void hostileAliasesAreRefusedBeforeAnyReaderRuns() {
        assertThat(errors("pools: &p [{ name: a, backends: *p }]\n")).containsExactly(
                "f.yaml:1:33: alias '*p' is inside the node it names (anchor '&p' at line 1);"
                        + " a configuration cannot contain itself");
        assertThat(errors("listeners: [{ name: l, bind: *addr, pool: p }]\n")).containsExactly(
                "f.yaml:1:30: alias '*addr' names no anchor; write '&addr' on a value above it");
    }

    private static java.util.List<String> errors(String yaml) {
        try {
            RootConfigReader.parse("f.yaml", yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("the configuration was accepted:\n" + yaml);
    }
}

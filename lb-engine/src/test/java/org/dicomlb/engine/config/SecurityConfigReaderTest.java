package org.dicomlb.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener and pool keys of issue 18 as an operator writes them, and how mistakes read. */
class SecurityConfigReaderTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued cert;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(dir, "config");
        cert = pki.server("lb", TestPki.Names.cn("dicomlb.test"));
    }

    private static final String POOLS = """
            pools:
              - name: p
                backends: [ { name: a, address: 127.0.0.11:104 } ]
            """;

    private static String listener(String body) {
        return "listeners:\n  - name: l\n    bind: 127.0.0.1:10104\n    pool: p\n" + body.indent(4) + POOLS;
    }

    private static String tls(boolean clientCa) {
        return "tls: { certificate: " + cert.chain() + ", key: " + cert.key() + (clientCa ? ", client-ca: " + pki.caFile() : "") + " }";
    }

    @Test
    void aTlsDicomListenerWithBindingsAndLimitsReads() {
        EngineConfig c = Configs.engine(listener("""
                mode: dicom
                %s
                certificate-bindings:
                  - { dns: "*.radiology.example.org", calling-ae: ["CT*", "MR*"] }
                  - { cn: "US cart 3", calling-ae: US03 }
                source-limits: { connections: 20, rate: 30/m, ipv4-prefix: 24 }
                """.formatted(tls(true))));
        ListenerConfig l = c.listeners().getFirst();
        assertThat(l.tls()).isPresent();
        assertThat(((DicomMode) l.mode()).certificateBindings()).hasSize(2).first()
                .satisfies(b -> assertThat(b.field()).isEqualTo(CertificateBinding.Field.DNS));
        assertThat(l.sourceLimits()).get().satisfies(s -> {
            assertThat(s.connections()).isEqualTo(20);
            assertThat(s.rate()).isEqualTo(0.5);
            assertThat(s.burst()).isEqualTo(1);
            assertThat(s.ipv4Prefix()).isEqualTo(24);
            assertThat(s.ipv6Prefix()).isEqualTo(64);
        });
    }

    @Test
    void bindingsNeedClientCertificatesAndExactlyOneName() {
        assertThat(Configs.errors(listener("""
                mode: dicom
                %s
                certificate-bindings: [ { dns: a.example.org, calling-ae: CT01 } ]
                """.formatted(tls(false))))).singleElement().asString()
                .startsWith("test.yaml:7:27: ").contains("need client certificates");
        assertThat(Configs.errors(listener("""
                mode: dicom
                certificate-bindings: [ { dns: a.example.org, calling-ae: CT01 } ]
                """))).singleElement().asString().contains("needs 'tls' with 'client-ca'");
        assertThat(Configs.errors(listener("""
                mode: dicom
                %s
                certificate-bindings: [ { dns: a.example.org, cn: a, calling-ae: CT01 }, { uri: "urn:x" } ]
                """.formatted(tls(true))))).hasSize(2).anySatisfy(e -> assertThat(e).contains("exactly one of cn, dns, email, uri"))
                .anySatisfy(e -> assertThat(e).contains("needs 'calling-ae'"));
        assertThat(Configs.errors(listener("""
                mode: tcp
                certificate-bindings: [ { dns: a.example.org, calling-ae: CT01 } ]
                """))).singleElement().asString().contains("applies to mode: dicom listeners only");
    }

    @Test
    void sourceLimitsMistakesAreLocated() {
        assertThat(Configs.errors(listener("source-limits: { rate: 10 }"))).singleElement().asString()
                .startsWith("test.yaml:5:28: ").contains("with its unit, e.g. 10/s");
        assertThat(Configs.errors(listener("source-limits: { ipv4-prefix: 24 }"))).singleElement().asString()
                .contains("needs 'connections'");
        assertThat(Configs.errors(listener("source-limits: { connections: 5, max-sources: 3 }"))).singleElement().asString()
                .contains("'max-sources' is 3");
    }

    @Test
    void aPoolTlsSectionIsReadAndItsFilesChecked() {
        EngineConfig c = Configs.engine("listeners: [ { name: l, bind: 127.0.0.1:10104, pool: p } ]\n"
                + "pools:\n  - name: p\n    tls: { ca: " + pki.caFile() + ", server-name: archive.example.org }\n"
                + "    backends: [ { name: a, address: 127.0.0.11:2762 } ]\n");
        assertThat(c.pools().getFirst().tls()).get().satisfies(t -> assertThat(t.serverName()).contains("archive.example.org"));
        assertThat(Configs.errors("listeners: [ { name: l, bind: 127.0.0.1:10104, pool: p } ]\n"
                + "pools:\n  - name: p\n    tls: { ca: " + dir.resolve("missing.pem") + " }\n"
                + "    backends: [ { name: a, address: 127.0.0.11:2762 } ]\n")).singleElement().asString()
                .startsWith("test.yaml:4:16: ").contains("missing.pem does not exist");
    }
}

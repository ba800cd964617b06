package org.dicomlb.tls.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigException;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.testkit.TestPki;
import org.dicomlb.tls.ClientAuth;
import org.dicomlb.tls.ClientTls;
import org.dicomlb.tls.ServerTls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code dicomlb validate} says about tls sections: every unusable file, at the key that names it. */
class TlsConfigReaderTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued server;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(dir, "reader");
        server = pki.server("server", TestPki.Names.cn("dicomlb.test").ip("127.0.0.1"));
    }

    private record Read<T>(Optional<T> value, List<ConfigError> errors) {
    }

    private static <T> Read<T> read(String yaml, Function<Section, Optional<T>> reader) throws ConfigException {
        Problems problems = new Problems();
        Section s = Section.of(YamlTree.parse("test.yaml", yaml), problems, "listener 'l'").orElseThrow();
        Optional<T> v = reader.apply(s);
        return new Read<>(v, problems.errors());
    }

    private static Read<ServerTls> server(String tls) throws ConfigException {
        return read("tls:\n" + tls.indent(2), s -> TlsConfigReader.server(s, true));
    }

    @Test
    void aCompleteServerSectionLoadsAndCompareesByContent() throws Exception {
        String yaml = "certificate: " + server.chain() + "\nkey: " + server.key() + "\nclient-ca: " + pki.caFile();
        Read<ServerTls> a = server(yaml);
        Read<ServerTls> b = server(yaml);
        assertThat(a.errors()).isEmpty();
        assertThat(a.value()).get().extracting(ServerTls::clientAuth).isEqualTo(ClientAuth.REQUIRED);
        assertThat(a.value().get().material().context()).isNotSameAs(b.value().get().material().context());
        assertThat(a.value()).as("the same files read twice are the same configuration").isEqualTo(b.value());

        TestPki.Issued renewed = pki.server("renewed", TestPki.Names.cn("dicomlb.test"));
        Read<ServerTls> c = server("certificate: " + renewed.chain() + "\nkey: " + renewed.key() + "\nclient-ca: " + pki.caFile());
        assertThat(c.value()).as("a renewed certificate is a change").isNotEqualTo(a.value());
    }

    @Test
    void aMissingFileIsReportedAtItsKey() throws Exception {
        Read<ServerTls> r = server("certificate: " + dir.resolve("nope.crt") + "\nkey: " + server.key());
        assertThat(r.value()).isEmpty();
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.location().line()).isEqualTo(2);
            assertThat(e.message()).contains("nope.crt does not exist");
        });
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtKey() throws Exception {
        Path stray = pki.strayKey("stray");
        Read<ServerTls> r = server("certificate: " + server.chain() + "\nkey: " + stray);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.location().line()).isEqualTo(3);
            assertThat(e.message()).contains("does not belong to the certificate");
        });
    }

    @Test
    void notPemEncryptedLegacyAndExpiredFilesAreEachExplained() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "hello\n");
        assertThat(server("certificate: " + garbage + "\nkey: " + server.key()).errors())
                .singleElement().extracting(ConfigError::message).asString().contains("holds no PEM certificate");

        Path encrypted = Files.writeString(dir.resolve("enc.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThat(server("certificate: " + server.chain() + "\nkey: " + encrypted).errors())
                .singleElement().extracting(ConfigError::message).asString().contains("encrypted key");

        Path legacy = Files.writeString(dir.resolve("legacy.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThat(server("certificate: " + server.chain() + "\nkey: " + legacy).errors())
                .singleElement().extracting(ConfigError::message).asString().contains("legacy format", "openssl pkcs8");

        TestPki.Issued old = pki.expired("old", TestPki.Names.cn("old.test"));
        assertThat(server("certificate: " + old.chain() + "\nkey: " + old.key()).errors())
                .singleElement().extracting(ConfigError::message).asString().contains("expired on");
    }

    @Test
    void clientAuthWithoutCaAndCaWithoutClientAuthAreErrors() throws Exception {
        String files = "certificate: " + server.chain() + "\nkey: " + server.key() + "\n";
        assertThat(server(files + "client-auth: required").errors()).singleElement()
                .extracting(ConfigError::message).asString().contains("needs 'client-ca'");
        assertThat(server(files + "client-ca: " + pki.caFile() + "\nclient-auth: none").errors()).singleElement()
                .extracting(ConfigError::message).asString().contains("client-auth is none");
        assertThat(server(files + "client-ca: " + pki.caFile() + "\nclient-auth: optional").value()).get()
                .extracting(ServerTls::clientAuth).isEqualTo(ClientAuth.OPTIONAL);
    }

    @Test
    void theAdminFlavourKnowsNoClientKeys() throws Exception {
        Read<ServerTls> r = read("tls:\n  certificate: " + server.chain() + "\n  key: " + server.key() + "\n  client-ca: "
                + pki.caFile(), s -> TlsConfigReader.server(s, false));
        assertThat(r.errors()).singleElement().extracting(ConfigError::message).asString().contains("unknown key 'client-ca'");
    }

    @Test
    void aClientSectionNeedsBothHalvesOfItsCertificateAndAValidName() throws Exception {
        Read<ClientTls> ok = read("tls:\n  ca: " + pki.caFile() + "\n  server-name: archive.example.org",
                TlsConfigReader::client);
        assertThat(ok.errors()).isEmpty();
        assertThat(ok.value()).get().satisfies(t -> {
            assertThat(t.verifyName()).isTrue();
            assertThat(t.serverName()).contains("archive.example.org");
        });
        assertThat(read("tls:\n  certificate: " + server.chain(), TlsConfigReader::client).errors()).singleElement()
                .extracting(ConfigError::message).asString().contains("needs both 'certificate' and 'key'");
        assertThat(read("tls:\n  server-name: 'not a name'", TlsConfigReader::client).errors()).singleElement()
                .extracting(ConfigError::message).asString().contains("must be a DNS name");
    }
}

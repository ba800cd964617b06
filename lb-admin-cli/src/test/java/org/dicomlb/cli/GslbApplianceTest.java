package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.config.ConfigException;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The GSLB inside the appliance, from one configuration file: DNS answers following a local pool
 * (drain its backend and the site is no longer answered), status with a gslb section, the
 * {@code dicomlb gslb failback} command through the admin API, reloads, and a GSLB-only file.
 * Addresses: admin, proxy listener and GSLB on 127.0.0.1; the pool's backend on 127.0.0.11; the
 * sites' VIPs 127.0.1.1 (this appliance's pool) and 127.0.2.1 (checked at a backend on 127.0.0.12).
 */
class GslbApplianceTest {
    @TempDir
    Path dir;
    private final int adminPort = Ports.free("127.0.0.1");
    private final int listenPort = Ports.free("127.0.0.1");
    private final int dnsPort = Ports.free("127.0.0.1");
    private TestBackend local;
    private TestBackend remote;
    private Appliance app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        if (local != null) {
            local.close();
        }
        if (remote != null) {
            remote.close();
        }
    }

    private String yaml(String failback, int ttl) {
        return """
                admin: { listen: 127.0.0.1:ADMIN }
                listeners:
                  - { name: front, bind: 127.0.0.1:LISTEN, pool: archive }
                pools:
                  - name: archive
                    health-check: { type: tcp, interval: 300ms, timeout: 200ms, rise: 1, fall: 1 }
                    backends:
                      - { name: b1, address: LOCAL }
                gslb:
                  listen: 127.0.0.1:DNS
                  zones:
                    - { name: dicom.example.org, nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }] }
                  names:
                    - name: dicom.example.org
                      failback: FAILBACK
                      ttl: TTL
                      members:
                        - { name: site-a, address: 127.0.1.1, pool: archive }
                        - { name: site-b, address: 127.0.2.1, check: { type: tcp, address: REMOTE, interval: 300ms, timeout: 200ms } }
                """.replace("ADMIN", Integer.toString(adminPort)).replace("LISTEN", Integer.toString(listenPort))
                .replace("DNS", Integer.toString(dnsPort)).replace("LOCAL", local.hostPort()).replace("REMOTE", remote.hostPort())
                .replace("FAILBACK", failback).replace("TTL", Integer.toString(ttl));
    }

    private Path start(String yaml) throws Exception {
        Path config = dir.resolve("dicomlb.yaml");
        Files.writeString(config, yaml);
        app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true), AccessLog.toLogger());
        return config;
    }

    private Message query(String name) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
        byte[] bytes = q.toWire();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(5000);
            s.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", dnsPort)));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            return new Message(Arrays.copyOf(buf, p.getLength()));
        }
    }

    private List<String> answer() {
        try {
            return query("dicom.example.org").getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
        } catch (IOException e) {
            return List.of(e.toString());
        }
    }

    private static void waitFor(BooleanSupplier condition, Object what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 15s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private JsonNode statusJson() throws Exception {
        Cli status = Cli.run("status", "--json", "--admin", "127.0.0.1:" + adminPort);
        assertThat(status.exit()).as(status.err()).isZero();
        return new ObjectMapper().readTree(status.out());
    }

    @Test
    void drainingTheLocalPoolMovesTheAnswerAndTheFailbackCommandBringsItBack() throws Exception {
        local = TestBackend.start("b1", "127.0.0.11");
        remote = TestBackend.start("remote", "127.0.0.12");
        Path config = start(yaml("manual", 5));
        assertThat(answer()).containsExactly("127.0.1.1");

        assertThat(Cli.run("drain", "archive/b1", "--admin", "127.0.0.1:" + adminPort).exit()).isZero();
        waitFor(() -> answer().equals(List.of("127.0.2.1")), "answer moves to site-b");
        assertThat(Cli.run("ready", "archive/b1", "--admin", "127.0.0.1:" + adminPort).exit()).isZero();
        waitFor(() -> {
            try {
                return statusJson().path("gslb").path("names").get(0).path("members").get(0).path("state").asText().equals("held");
            } catch (Exception e) {
                return false;
            }
        }, "site-a held after it recovered");
        assertThat(answer()).as("failback: manual").containsExactly("127.0.2.1");
        JsonNode gslb = statusJson().path("gslb");
        assertThat(gslb.path("listen").asText()).isEqualTo("127.0.0.1:" + dnsPort);
        JsonNode siteA = gslb.path("names").get(0).path("members").get(0);
        assertThat(siteA.path("health_source").asText()).isEqualTo("pool archive");
        assertThat(siteA.path("failback").asText()).isEqualTo("recovered; waiting for 'dicomlb gslb failback'");
        assertThat(Cli.run("status", "--admin", "127.0.0.1:" + adminPort).out())
                .contains("name dicom.example.org  method=failover  failback=manual")
                .containsPattern("A +all +-> site-b");

        Cli failback = Cli.run("gslb", "failback", "dicom.example.org", "-c", config.toString());
        assertThat(failback.exit()).as(failback.err()).isZero();
        assertThat(failback.out()).contains("dicom.example.org: failed back to site-a");
        assertThat(answer()).containsExactly("127.0.1.1");

        Cli unknown = Cli.run("gslb", "failback", "nosuch.example.org", "-c", config.toString());
        assertThat(unknown.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unknown.err()).contains("HTTP 404").contains("no GSLB name 'nosuch.example.org'");
        assertThat(Cli.run("gslb", "failback", "bad name/x", "-c", config.toString()).exit()).isEqualTo(ExitCodes.BAD_INPUT);
        String metrics = new String(new java.net.URI("http://127.0.0.1:" + adminPort + "/metrics").toURL().openStream().readAllBytes());
        assertThat(metrics).contains("dicomlb_gslb_failbacks_total{how=\"manual\",member=\"site-a\",name=\"dicom.example.org\"} 1.0")
                .contains("dicomlb_gslb_queries_total{rcode=\"noerror\",transport=\"udp\",type=\"A\"}")
                .contains("dicomlb_endpoint_up{check=\"tcp\",member=\"site-b\",name=\"dicom.example.org\"} 1.0");
    }

    @Test
    void reloadAppliesTheGslbSectionAndABadOneChangesNothing() throws Exception {
        local = TestBackend.start("b1", "127.0.0.11");
        remote = TestBackend.start("remote", "127.0.0.12");
        Path config = start(yaml("auto", 5));
        assertThat(query("dicom.example.org").getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(5);
        Files.writeString(config, yaml("auto", 9));
        Cli reload = Cli.run("reload", "-c", config.toString());
        assertThat(reload.exit()).as(reload.out() + reload.err()).isZero();
        assertThat(query("dicom.example.org").getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(9);

        Files.writeString(config, yaml("auto", 9).replace("pool: archive }", "pool: archiv }"));
        Cli bad = Cli.run("reload", "-c", config.toString());
        assertThat(bad.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.out() + bad.err()).contains("pool 'archiv' is not defined (pools: archive)");
        assertThat(query("dicom.example.org").getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(9);

        // Without the section the GSLB stops answering and leaves the status.
        Files.writeString(config, yaml("auto", 9).substring(0, yaml("auto", 9).indexOf("gslb:")));
        assertThat(Cli.run("reload", "-c", config.toString()).exit()).isZero();
        assertThatThrownBy(() -> query("dicom.example.org")).isInstanceOf(java.net.SocketTimeoutException.class);
        assertThat(statusJson().has("gslb")).isFalse();
    }

    @Test
    void aFileWithOnlyAGslbRunsTheGslbAlone() throws Exception {
        remote = TestBackend.start("remote", "127.0.0.12");
        start("""
                admin: { listen: 127.0.0.1:ADMIN }
                gslb:
                  listen: 127.0.0.1:DNS
                  zones: [{ name: dicom.example.org, nameservers: [ns1.example.net] }]
                  names:
                    - name: dicom.example.org
                      members: [{ name: site-b, address: 127.0.2.1, check: { address: REMOTE } }]
                """.replace("ADMIN", Integer.toString(adminPort)).replace("DNS", Integer.toString(dnsPort))
                .replace("REMOTE", remote.hostPort()));
        assertThat(answer()).containsExactly("127.0.2.1");
        JsonNode status = statusJson();
        assertThat(status.path("listeners")).isEmpty();
        assertThat(status.path("gslb").path("names").get(0).path("name").asText()).isEqualTo("dicom.example.org");
    }

    @Test
    void validateReportsGslbErrorsWithTheirPosition() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                pools:
                  - name: archive
                    backends: [{ name: b1, address: 127.0.0.11:104 }]
                listeners:
                  - { name: front, bind: 127.0.0.1:10104, pool: archive }
                gslb:
                  listen: 127.0.0.1:10104
                  zones: [{ name: dicom.example.org, nameservers: [ns1.example.net] }]
                  names:
                    - name: dicom.example.org
                      members: [{ name: a, address: 127.0.1.1, pool: pacs }]
                """);
        Cli v = Cli.run("validate", "-c", config.toString());
        assertThat(v.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(v.err()).contains(config + ":7:11: the GSLB binds 127.0.0.1:10104, which listener 'front' already binds")
                .contains(config + ":11:54: pool 'pacs' is not defined (pools: archive)");
        assertThatThrownBy(() -> RootConfigReader.load(config)).isInstanceOf(ConfigException.class);
    }
}

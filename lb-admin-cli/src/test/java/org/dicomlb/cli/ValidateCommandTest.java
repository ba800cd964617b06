package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
    @TempDir
    Path dir;

    @Test
    void threeDifferentMistakesGiveThreeLocatedErrorsAndExitTwo() throws Exception {
        Path f = Files.writeString(dir.resolve("pools.yaml"), """
                admin:
                  listen: 127.0.0.1:9900
                listeners:
                  - name: dicom
                    bind: 127.0.0.1:10104
                    pool: archive
                    timeouts: { idle: 30 }
                pools:
                  - name: archive
                    balance: leastconn
                    backends:
                      - { name: a1, address: 127.0.0.11:104 }
                      - { name: a2, address: 127.0.0.300:104 }
                  - name: archive
                    backends:
                      - { name: b1, address: 127.0.0.21:104 }
                """);
        Cli r = Cli.run("validate", "-c", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                f + ":7:23: 'idle': '30' is not a duration; write e.g. 500ms, 10s, 5m, 1h or 1m30s",
                f + ":13:30: 'address': '127.0.0.300' is not an IP address (hostnames are not resolved here; use a dns backend for names)",
                f + ":14:11: duplicate pool name 'archive' (first at line 9)",
                "3 error(s); nothing was changed");
    }

    /** validate refuses what run would refuse: the token file is read when the file is validated. */
    @Test
    void aMissingEmptyOrShortTokenFileIsAnErrorAtItsKey() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
        Path shortToken = Files.writeString(dir.resolve("short.token"), "s3cret\n");
        Path good = Files.writeString(dir.resolve("good.token"), "9f2c41d07be35a6e8c1d0f4b2a7e9c35\n");
        for (Path t : List.of(empty, shortToken, good)) {
            Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-------"));
        }
        String rest = """
                listeners: [ { name: l, bind: 127.0.0.1:10104, pool: p } ]
                pools: [ { name: p, backends: [ { name: b, address: 127.0.0.11:104 } ] } ]
                """;
        for (var c : java.util.Map.of(dir.resolve("missing.token"), "does not exist", empty, "is empty", shortToken,
                "must be at least 16 printable characters").entrySet()) {
            Path f = Files.writeString(dir.resolve("t.yaml"), "admin: { listen: 127.0.0.1:9900, token-file: " + c.getKey() + " }\n" + rest);
            Cli r = Cli.run("validate", "-c", f.toString());
            assertThat(r.exit()).as(c.getValue()).isEqualTo(2);
            assertThat(r.err()).as(c.getValue()).startsWith(f + ":1:46: ").contains(c.getValue());
        }
        Path f = Files.writeString(dir.resolve("t.yaml"), "admin: { listen: 127.0.0.1:9900, token-file: " + good + " }\n" + rest);
        assertThat(Cli.run("validate", "-c", f.toString()).exit()).isZero();
    }

    /** A token group or others can read is no secret: refused at its key, with the command that fixes it. */
    @Test
    void aTokenFileReadableByOthersIsRefused() throws Exception {
        String rest = """
                listeners: [ { name: l, bind: 127.0.0.1:10104, pool: p } ]
                pools: [ { name: p, backends: [ { name: b, address: 127.0.0.11:104 } ] } ]
                """;
        Path token = Files.writeString(dir.resolve("shared.token"), "9f2c41d07be35a6e8c1d0f4b2a7e9c35\n");
        for (String mode : List.of("rw-r--r--", "rw-r-----", "rw-----w-")) {
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString(mode));
            Path f = Files.writeString(dir.resolve("t.yaml"), "admin: { listen: 127.0.0.1:9900, token-file: " + token + " }\n" + rest);
            Cli r = Cli.run("validate", "-c", f.toString());
            assertThat(r.exit()).as(mode).isEqualTo(2);
            assertThat(r.err()).as(mode).startsWith(f + ":1:46: ").contains("accessible to group or others (mode " + mode + ")",
                    "chmod 600 " + token);
        }
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("r--------"));
        Path f = Files.writeString(dir.resolve("t.yaml"), "admin: { listen: 127.0.0.1:9900, token-file: " + token + " }\n" + rest);
        assertThat(Cli.run("validate", "-c", f.toString()).exit()).isZero();
    }

    @Test
    void theVipSectionIsValidatedAgainstThePoolsAndListenersOfTheFile() throws Exception {
        String engine = """
                listeners: [ { name: dicom, bind: 192.0.2.10:104, pool: archive } ]
                pools: [ { name: archive, backends: [ { name: b, address: 127.0.0.11:104 } ] } ]
                """;
        Path bad = Files.writeString(dir.resolve("vip.yaml"), engine + """
                vip:
                  interface: eth0
                  addresses: [192.0.2.10/24]
                  virtual-router-id: 51
                  track: { pools: [archiv], listeners: [dicom] }
                """);
        Cli r = Cli.run("validate", "-c", bad.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                bad + ":7:20: tracks pool 'archiv', which is not defined; defined: archive",
                "1 error(s); nothing was changed");

        Path good = Files.writeString(dir.resolve("vip-ok.yaml"), engine + """
                vip:
                  interface: eth0
                  addresses: [192.0.2.10/24]
                  virtual-router-id: 51
                  track: { pools: [archive], listeners: [dicom] }
                """);
        Cli ok = Cli.run("validate", "-c", good.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("ok (1 listener(s), 1 pool(s), 1 backend(s), VIP 192.0.2.10/24 on eth0)");
    }

    @Test
    void aValidFileSaysOk() throws Exception {
        Path f = Files.writeString(dir.resolve("ok.yaml"), """
                listeners: [ { name: l, bind: 127.0.0.1:10104, pool: p } ]
                pools: [ { name: p, backends: [ { name: b, address: 127.0.0.11:104 } ] } ]
                """);
        Cli r = Cli.run("validate", "-c", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("ok (1 listener(s), 1 pool(s), 1 backend(s))");
    }

    @Test
    void missingFileAndYamlSyntaxErrorsAreLocated() throws Exception {
        Cli missing = Cli.run("validate", "-c", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith(dir.resolve("nope.yaml") + ":1:1: cannot read file: no such file");
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "listeners:\n  - name: [unclosed\n");
        Cli syntax = Cli.run("validate", "-c", broken.toString());
        assertThat(syntax.exit()).isEqualTo(2);
        assertThat(syntax.err()).startsWith(broken + ":").contains("YAML syntax");
    }

    @Test
    void usageErrorsExitTwoAndHelpAndVersionExitZero() {
        assertThat(Cli.run("validate").exit()).isEqualTo(2);
        assertThat(Cli.run("frobnicate").exit()).isEqualTo(2);
        assertThat(Cli.run().exit()).isEqualTo(2);
        Cli help = Cli.run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("run", "validate", "demo", "status", "reload");
        Cli version = Cli.run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("dicomlb 0.")
                .as("the TLS provider, BoringSSL on x86-64 Linux").contains("TLS: OpenSSL (BoringSSL)");
    }
}

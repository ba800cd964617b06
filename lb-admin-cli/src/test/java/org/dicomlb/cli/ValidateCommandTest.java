package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
        assertThat(version.out()).startsWith("dicomlb 0.");
    }
}

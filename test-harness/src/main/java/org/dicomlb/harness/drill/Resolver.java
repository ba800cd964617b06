package org.dicomlb.harness.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.peers.Binaries;

/**
 * The hospital resolver: Unbound from Debian, its own process and a temporary configuration, in
 * the hospital core. It resolves nothing but the imaging zone, through a stub zone that names the
 * four GSLBs as its servers; every other name is refused locally ({@code local-zone: "." refuse}),
 * and the root hints it is given instead of its built-in ones name a server on the namespace's own
 * loopback, which Unbound never queries ({@code do-not-query-localhost}), so no root server and no
 * resolver outside the drill is ever asked.
 */
final class Resolver {
    private final Netns lab;
    private final Path dir;
    private Server process;

    Resolver(Netns lab, Path out) throws IOException {
        this.lab = lab;
        this.dir = Files.createDirectories(out.resolve("unbound"));
    }

    static String config(Path dir) {
        StringBuilder stubs = new StringBuilder();
        for (Network.Site s : Network.SITES) {
            for (String gslb : List.of(s.lb1(), s.lb2())) {
                stubs.append("  stub-addr: ").append(gslb).append('@').append(Network.DNS_PORT).append('\n');
            }
        }
        return """
                # The hospital resolver of the site-failure drill (generated).
                server:
                  interface: %2$s
                  port: %3$d
                  outgoing-interface: %2$s
                  do-ip6: no
                  do-daemonize: no
                  username: ""
                  chroot: ""
                  directory: "%1$s"
                  pidfile: "%1$s/unbound.pid"
                  use-syslog: no
                  logfile: ""
                  verbosity: 1
                  module-config: "iterator"
                  root-hints: "%1$s/root.hints"
                  do-not-query-localhost: yes
                  qname-minimisation: no
                  prefetch: no
                  access-control: 10.0.0.0/8 allow
                  # Nothing but the stub zone is resolved: every other name is refused here.
                  local-zone: "." refuse
                  local-zone: "%4$s." transparent
                stub-zone:
                  name: "%4$s"
                %5$sremote-control:
                  control-enable: no
                """.formatted(dir, Network.RESOLVER, Network.DNS_PORT, Network.NAME, stubs);
    }

    void start() throws IOException, InterruptedException {
        Files.writeString(dir.resolve("root.hints"), """
                ; A root that is not there: nothing may leave the drill's namespaces.
                .                        3600000      NS    root.invalid.
                root.invalid.            3600000      A     127.0.0.254
                """);
        Path conf = Files.writeString(dir.resolve("unbound.conf"), config(dir));
        process = lab.start(Network.RESOLVER_ROLE, "unbound", List.of(Binaries.find("unbound", "unbound").toString(), "-d",
                "-c", conf.toString()), Map.of(), dir.resolve("unbound.log"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!lab.listening(Network.RESOLVER_ROLE, Network.DNS_PORT)) {
            process.checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IOException("unbound not listening after 30 s: " + process.logTail());
            }
            Thread.sleep(50);
        }
    }
}

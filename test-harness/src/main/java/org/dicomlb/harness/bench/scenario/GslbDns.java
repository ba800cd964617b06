package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.load.Dnsperf;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.NettyUdpFloor;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;

/**
 * DNS: dnsperf against dicomlb's GSLB ({@code ./dicomlb run} with a gslb-only configuration) and
 * against gdnsd serving the same zone, alternating. The zone has an SOA, an NS with its glue and
 * the name dicomlb answers from health (one member, checked by tcp every 2 s) that gdnsd serves as
 * a static A record; the query mix is mostly that name, with AAAA (NODATA), the nameserver's A,
 * the SOA and a missing name (NXDOMAIN). Both use as many UDP threads as dicomlb has I/O threads.
 * dicomlb's response-rate limiting is off for the run (all queries come from one address; gdnsd
 * has none). The {@link NettyUdpFloor} is measured beside them: what a query costs on dicomlb's
 * transport before any of the GSLB's code.
 */
public final class GslbDns implements Scenario {
    private static final Metric QPS = Metric.higher("qps", "queries", "queries/s").withGoal(new Goal.AtLeastTimes(Variant.GDNSD, 1.0));
    private static final Metric LATENCY = Metric.lower("latency", "mean latency at max load", "ms");
    private static final Metric CPU = Metric.lower("cpu", "server CPU per query", "µs");
    private static final String ZONE = "dicom.example.org";
    private static final String QUERIES = """
            dicom.example.org A
            dicom.example.org A
            dicom.example.org A
            dicom.example.org AAAA
            ns1.dicom.example.org A
            dicom.example.org SOA
            nosuch.dicom.example.org A
            """;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "gslb-dns";
    }

    @Override
    public String summary() {
        return "dnsperf -c 8 (4 with --quick) -T 1 → dicomlb's GSLB and gdnsd serving the same zone "
                + "(mostly A of the GSLB name; AAAA, NS host A, SOA, NXDOMAIN); queries/s, mean latency, server CPU per query.";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(QPS, LATENCY, CPU);
    }

    @Override
    public List<Variant> variants() {
        return List.of(Variant.DICOMLB, Variant.GDNSD, Variant.NETTY_UDP);
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(ctx.scratch(name()));
        Path queries = Files.writeString(dir.resolve("queries.txt"), QUERIES);
        int threads = ctx.proxies().dicomlb().ioThreads();
        InetSocketAddress gdnsdAt = ctx.layout().gdnsd();
        Server gdnsd = startGdnsd(ctx, dir.resolve("gdnsd"), gdnsdAt, threads);
        Server dicomlb;
        Server floor;
        try {
            dicomlb = ctx.proxies().startDicomlb(name(), dicomlbYaml(ctx.layout().gslb(), ctx.layout().dicomlbAdmin()),
                    ctx.layout().gslb().getPort());
        } catch (IOException | InterruptedException | RuntimeException e) {
            gdnsd.close();
            throw e;
        }
        try {
            floor = ctx.children().start("netty-udp-floor", NettyUdpFloor.command(ctx.layout().udpFloor(), threads), Map.of(),
                    ctx.logs().resolve(name() + "-netty-udp-floor.log")).readyOnUdp(ctx.layout().udpFloor().getPort(), START_TIMEOUT);
        } catch (IOException | InterruptedException | RuntimeException e) {
            dicomlb.close();
            gdnsd.close();
            throw e;
        }
        int clients = ctx.profile().pick(4, 8);
        Map<Variant, Via> vias = new EnumMap<>(Variant.class);
        vias.put(Variant.DICOMLB, new Via(Variant.DICOMLB, ctx.layout().gslb(), Optional.of(dicomlb)));
        vias.put(Variant.GDNSD, new Via(Variant.GDNSD, gdnsdAt, Optional.empty()));
        vias.put(Variant.NETTY_UDP, new Via(Variant.NETTY_UDP, ctx.layout().udpFloor(), Optional.empty()));
        return new Session() {
            @Override
            public Optional<Map<Variant, Via>> ownVias() {
                return Optional.of(vias);
            }

            @Override
            public Map<String, Double> measure(Via via, Phase phase) throws IOException, InterruptedException {
                Server server = switch (via.variant()) {
                    case DICOMLB -> dicomlb;
                    case NETTY_UDP -> floor;
                    default -> gdnsd;
                };
                Duration cpuBefore = server.cpuTime();
                Dnsperf.Result r = Dnsperf.run(ctx, via.address(), queries, clients, ctx.profile().duration(phase, via.variant()));
                Duration cpu = server.cpuTime().minus(cpuBefore);
                server.checkAlive();
                // Both must answer the same mix the same way; a REFUSED or SERVFAIL means a broken setup, not a number.
                if (r.completed() == 0 || r.responseCodes().contains("REFUSED") || r.responseCodes().contains("SERVFAIL")
                        || r.lost() > r.completed() / 100) {
                    throw new IOException(via.variant().label() + " answered badly: " + r);
                }
                Map<String, Double> out = new LinkedHashMap<>();
                out.put(QPS.key(), r.queriesPerSecond());
                out.put(LATENCY.key(), r.averageLatencyMillis());
                out.put(CPU.key(), cpu.toNanos() / 1000.0 / r.completed());
                return out;
            }

            @Override
            public void close() {
                floor.close();
                dicomlb.close();
                gdnsd.close();
            }
        };
    }

    /** gdnsd 3 from a config directory of its own: the zone, its threads, its run and state dirs. */
    private Server startGdnsd(BenchContext ctx, Path dir, InetSocketAddress at, int threads) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("zones"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("config"), """
                # Generated by the dicomlb benchmark harness for scenario gslb-dns.
                options => {
                  listen => [ HOST ]
                  dns_port => PORT
                  udp_threads => THREADS
                  tcp_threads => 1
                  run_dir => DIR/run
                  state_dir => DIR/state
                }
                """.replace("HOST", at.getAddress().getHostAddress()).replace("PORT", Integer.toString(at.getPort()))
                .replace("THREADS", Integer.toString(threads)).replace("DIR", dir.toString()));
        Files.writeString(dir.resolve("zones").resolve(ZONE), """
                @       300 SOA ns1 hostmaster 1 3600 600 1209600 30
                @       300 NS  ns1
                ns1     300 A   127.0.0.1
                @       5   A   127.0.1.1
                """);
        Files.createDirectories(ctx.proxies().configDir());
        Files.copy(dir.resolve("config"), ctx.proxies().configDir().resolve(name() + "-gdnsd.config"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return ctx.children().start("gdnsd", List.of("gdnsd", "-c", dir.toString(), "start"), Map.of(),
                ctx.logs().resolve(name() + "-gdnsd.log")).readyOn(at.getPort(), START_TIMEOUT);
    }

    static String dicomlbYaml(InetSocketAddress gslb, InetSocketAddress admin) {
        return """
                # Generated by the dicomlb benchmark harness for scenario gslb-dns: the GSLB alone.
                admin:
                  listen: @ADMIN@
                gslb:
                  listen: @GSLB@
                  zones:
                    - name: dicom.example.org
                      ttl: 300
                      negative-ttl: 30
                      nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }]
                  names:
                    - name: dicom.example.org
                      ttl: 5
                      members:
                        - { name: site-a, address: 127.0.1.1, check: { type: tcp, address: @ADMIN@, interval: 2s } }
                  limits:
                    # Every query comes from one address, and gdnsd has no rate limiting either.
                    rate-limit: { responses-per-second: 0 }
                """.replace("@ADMIN@", SocketAddresses.format(admin)).replace("@GSLB@", SocketAddresses.format(gslb));
    }
}

package org.dicomlb.harness.dicom;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.testkit.Ports;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;

/**
 * What {@code observe-pdus} costs: DCMTK's storescu sends one large instance several times in one
 * association to storescp {@code --ignore} (received, not stored), directly and through an
 * in-process dicomlb with and without the PDU tracker, interleaving the runs so that load from
 * elsewhere on the machine spreads over all three. Prints the median throughput of each and the
 * CPU time this JVM (dicomlb) spent per GiB relayed.
 *
 * <p>Not a test (it asserts nothing); run by hand, see docs/development.md:
 * {@code java -cp ... org.dicomlb.harness.dicom.ObservePdusCost [runs] [max-pdu]}.
 */
public final class ObservePdusCost {
    private enum Path3 { DIRECT, RELAY, OBSERVE }

    private ObservePdusCost() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String maxPdu = args.length > 1 ? args[1] : "16384";
        Path work = Files.createTempDirectory("observe-pdus-cost");
        try {
            measure(work, runs, maxPdu);
        } finally {
            try (var all = Files.walk(work)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void measure(Path work, int runs, String maxPdu) throws Exception {
        // 4096 x 8192 16-bit pixels: a 64 MiB instance, sent three times per association.
        TestInstances.Instance big = TestInstances.secondaryCapture(work.resolve("source"), 1, 4096, 8192, false);
        long bytes = 3 * Files.size(big.file());
        Map<Path3, List<Double>> mbPerSecond = new EnumMap<>(Path3.class);
        Map<Path3, List<Double>> cpuMsPerGiB = new EnumMap<>(Path3.class);
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("SINK", work.resolve("sink")).with("--ignore",
                "--max-pdu", maxPdu))) {
            int relayPort = Ports.free("127.0.0.1");
            int observePort = Ports.free("127.0.0.1");
            try (EngineFixture fx = new EngineFixture()) {
                fx.start("""
                        listeners:
                          - { name: relay, bind: 127.0.0.1:%d, mode: dicom, pool: sink, observe-pdus: false }
                          - { name: observe, bind: 127.0.0.1:%d, mode: dicom, pool: sink, observe-pdus: true }
                        pools:
                          - { name: sink, backends: [{ name: storescp, address: 127.0.0.1:%d }] }
                        """.formatted(relayPort, observePort, scp.port()));
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                for (int i = 0; i < runs + 1; i++) {
                    for (Path3 p : Path3.values()) {
                        int port = switch (p) {
                            case DIRECT -> scp.port();
                            case RELAY -> relayPort;
                            case OBSERVE -> observePort;
                        };
                        List<String> cmd = List.of(Dcmtk.storescu().toString(), "-aec", "SINK", "127.0.0.1",
                                Integer.toString(port), big.file().toString(), big.file().toString(), big.file().toString());
                        long cpu0 = os.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        Tools.Result r = Tools.run(Duration.ofMinutes(2), work.resolve("tools"), cmd);
                        long nanos = System.nanoTime() - t0;
                        long cpu = os.getProcessCpuTime() - cpu0;
                        if (!r.ok()) {
                            throw new IllegalStateException(r.toString());
                        }
                        if (i == 0) {
                            continue; // warm-up: JIT, page cache
                        }
                        mbPerSecond.computeIfAbsent(p, k -> new ArrayList<>()).add(bytes / 1e6 / (nanos / 1e9));
                        cpuMsPerGiB.computeIfAbsent(p, k -> new ArrayList<>()).add(cpu / 1e6 / (bytes / (double) (1L << 30)));
                    }
                }
            }
        }
        System.out.printf("storescu -> storescp --ignore --max-pdu %s, 3 x %.0f MiB per association, %d runs each%n",
                maxPdu, bytes / 3.0 / (1 << 20), runs);
        for (Path3 p : Path3.values()) {
            System.out.printf("  %-8s median %7.1f MB/s (min %7.1f, max %7.1f); dicomlb JVM CPU median %6.1f ms/GiB%n",
                    p.name().toLowerCase(java.util.Locale.ROOT), median(mbPerSecond.get(p)),
                    mbPerSecond.get(p).stream().mapToDouble(d -> d).min().orElseThrow(),
                    mbPerSecond.get(p).stream().mapToDouble(d -> d).max().orElseThrow(), median(cpuMsPerGiB.get(p)));
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}

package org.dicomlb.packaging.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dicomlb.packaging.load.Admin;
import org.dicomlb.packaging.load.DicomlbProcess;
import org.dicomlb.packaging.load.EchoTraffic;
import org.dicomlb.packaging.load.Rig;
import org.dicomlb.packaging.load.TcpTraffic;

/**
 * The AOT training run of the package build: starts the packaged {@code bin/dicomlb run} with
 * {@code -XX:AOTCacheOutput=FILE} in front of simulated backends on loopback, drives every path a
 * production appliance runs from its first minute (DICOM associations through a dicom listener,
 * tcp round trips, C-ECHO and connect health checks, the admin API's /healthz, /metrics and
 * status, a SIGHUP reload), then stops it with SIGTERM so the JVM writes the cache on exit.
 *
 * <p>Usage: {@code TrainingRun LAUNCHER CACHE WORKDIR [ASSOCIATIONS [TCP_ROUND_TRIPS]]}. Exit 0 with
 * the cache written, 1 otherwise. Bounded: every phase has a count and a deadline.
 */
public final class TrainingRun {
    private TrainingRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: TrainingRun LAUNCHER CACHE WORKDIR [ASSOCIATIONS [TCP_ROUND_TRIPS]]");
            System.exit(2);
        }
        Path launcher = Path.of(args[0]);
        Path cache = Path.of(args[1]).toAbsolutePath();
        Path work = Files.createDirectories(Path.of(args[2]));
        int associations = args.length > 3 ? Integer.parseInt(args[3]) : 4000;
        int roundTrips = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        Files.deleteIfExists(cache);
        System.exit(train(launcher, cache, work, associations, roundTrips) ? 0 : 1);
    }

    static boolean train(Path launcher, Path cache, Path work, int associations, int roundTrips) throws Exception {
        long begun = System.nanoTime();
        try (Rig rig = Rig.start(); EchoTraffic echo = new EchoTraffic()) {
            Rig.Listeners at = Rig.Listeners.fresh();
            Path config = rig.writeConfig(work.resolve("training.yaml"), at);
            // The training JVM gets exactly the launcher's options plus the output flag.
            // Adapters are left out as the launcher leaves them out at run time (see bin/dicomlb).
            Map<String, String> env = Map.of("DICOMLB_AOT", "0", "DICOMLB_JAVA_OPTS",
                    "-XX:AOTCacheOutput=" + cache + " -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching");
            try (DicomlbProcess p = DicomlbProcess.start(List.of(), launcher, config, List.of("--shutdown-grace", "2s"),
                    env, work.resolve("training.log"))) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                if (echo.firstSuccess(at.dicomAddress(), deadline, Duration.ofMillis(50)).isEmpty()) {
                    System.err.println("training: dicomlb never served an association:\n" + p.tail(40));
                    return false;
                }
                // Health checks run by themselves from here (every second) while the load goes on.
                int perRound = Math.max(1, associations / 4);
                int tcpPerRound = Math.max(1, roundTrips / 4);
                int ok = 0;
                int tcpOk = 0;
                int failed = 0;
                for (int round = 0; round < 4; round++) {
                    EchoTraffic.Result r = echo.run(at.dicomAddress(), 8, perRound, deadline);
                    ok += r.succeeded();
                    failed += r.failed();
                    tcpOk += TcpTraffic.run(at.tcpAddress(), tcpPerRound, deadline);
                    Admin.get(at.adminUrl("/healthz"));
                    Admin.get(at.adminUrl("/metrics"));
                    Admin.get(at.adminUrl("/api/v1/status"));
                    if (round == 1) {
                        p.hup();
                    }
                }
                if (!p.isAlive()) {
                    System.err.println("training: dicomlb exited during the run:\n" + p.tail(40));
                    return false;
                }
                int exit = p.stop(Duration.ofMinutes(3));
                System.out.printf("training: %d associations (%d failed), %d tcp round trips, reload, admin API;"
                        + " dicomlb exited %d after %.1f s%n", ok, failed, tcpOk, exit, (System.nanoTime() - begun) / 1e9);
                if (exit != 0 || !Files.isRegularFile(cache) || Files.size(cache) == 0) {
                    System.err.println("training: no AOT cache at " + cache + " (exit " + exit + "):\n" + p.tail(40));
                    return false;
                }
                if (ok < associations / 2 || tcpOk < roundTrips / 2) {
                    System.err.println("training: too little traffic got through (" + ok + " associations, " + tcpOk
                            + " round trips):\n" + p.tail(40));
                    return false;
                }
                System.out.printf("training: AOT cache %s, %.1f MiB%n", cache, Files.size(cache) / 1048576.0);
                return true;
            }
        }
    }
}

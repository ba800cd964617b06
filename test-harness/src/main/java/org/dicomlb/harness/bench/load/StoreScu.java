package org.dicomlb.harness.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.process.Children;

/**
 * DCMTK {@code storescu}: sends one instance {@code count} times in a single association, with
 * DCMTK's default PDU size (16 KiB), as a modality would. Throughput is bytes of the files over
 * the wall time of the storescu process (which includes its start, about 20 ms: the same for all
 * variants, and small against a run of a second or more).
 */
public final class StoreScu {
    public static final String AE_TITLE = "BENCH_SCU";

    private StoreScu() {
    }

    /** Sends and returns MiB/s; fails when any C-STORE failed. */
    public static double mibPerSecond(BenchContext ctx, InetSocketAddress target, String calledAe, Path instance, int count)
            throws IOException, InterruptedException {
        return mibPerSecond(ctx, target, calledAe, instance, count, List.of());
    }

    /** The same with extra storescu options, e.g. {@code +tla +cf CA} for TLS. */
    public static double mibPerSecond(BenchContext ctx, InetSocketAddress target, String calledAe, Path instance, int count,
                                      List<String> options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("storescu"));
        cmd.addAll(options);
        cmd.addAll(List.of("-aet", AE_TITLE, "-aec", calledAe,
                "-to", "10", "-ta", "10", "-td", "60",
                target.getAddress().getHostAddress(), Integer.toString(target.getPort())));
        cmd.addAll(Collections.nCopies(count, instance.toString()));
        long bytes = Files.size(instance) * count;
        Children.Exit e = ctx.children().run(cmd, Map.of(), Duration.ofMinutes(3), ctx.scratch("storescu"));
        // storescu exits 0 even when a C-STORE was refused; its error lines start with "E:".
        if (!e.ok() || e.stderr().lines().anyMatch(l -> l.startsWith("E:")) || e.stdout().lines().anyMatch(l -> l.startsWith("E:"))) {
            throw new IOException("storescu failed via " + target + ": " + e.describe());
        }
        return bytes / (1024.0 * 1024.0) / (e.elapsed().toNanos() / 1e9);
    }
}

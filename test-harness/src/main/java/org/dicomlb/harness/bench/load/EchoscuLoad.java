package org.dicomlb.harness.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomlb.harness.bench.process.Children;

/**
 * {@link AssociationLoad} with DCMTK's {@code echoscu}: one process per association, since
 * echoscu's {@code --repeat} repeats the C-ECHO inside one association. A process start costs
 * far more CPU than the association itself, so this measures the whole path's association rate
 * at the client's limit rather than the proxy's; the lb-dicom generator will remove that limit.
 *
 * <p>echoscu only needs the command-group elements of the data dictionary; loading DCMTK's full
 * dictionary costs about 40 ms of CPU per process, so it gets a dictionary of just those.
 */
public final class EchoscuLoad implements AssociationLoad {
    private final Children children;
    private final Path scratch;
    private final Map<String, String> env;

    private EchoscuLoad(Children children, Path scratch, Path dictionary) {
        this.children = children;
        this.scratch = scratch;
        this.env = Map.of("DCMDICTPATH", dictionary.toString());
    }

    /** Prepares the reduced dictionary under {@code scratch} from DCMTK's installed one. */
    public static EchoscuLoad create(Children children, Path scratch) throws IOException {
        Files.createDirectories(scratch);
        Path full = installedDictionary();
        List<String> commandGroup = Files.readAllLines(full).stream().filter(l -> l.startsWith("(0000,")).toList();
        if (commandGroup.isEmpty()) {
            throw new IOException("no command-group (0000,xxxx) entries in " + full);
        }
        Path dict = scratch.resolve("command-group.dic");
        Files.write(dict, commandGroup);
        return new EchoscuLoad(children, scratch, dict);
    }

    private static Path installedDictionary() throws IOException {
        try (var dirs = Files.newDirectoryStream(Path.of("/usr/share"), "libdcmtk*")) {
            for (Path d : dirs) {
                Path dic = d.resolve("dicom.dic");
                if (Files.isReadable(dic)) {
                    return dic;
                }
            }
        }
        throw new IOException("DCMTK's data dictionary /usr/share/libdcmtk*/dicom.dic not found; is dcmtk installed?");
    }

    @Override
    public Result run(InetSocketAddress target, String callingAe, String calledAe, int concurrency, Duration duration,
                      int maxAssociations) throws IOException, InterruptedException {
        List<String> cmd = List.of("echoscu", "-aet", callingAe, "-aec", calledAe, "-to", "5", "-ta", "5", "-td", "5",
                target.getAddress().getHostAddress(), Integer.toString(target.getPort()));
        AtomicInteger started = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name("echoscu-", 0).daemon().factory());
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline && started.incrementAndGet() <= maxAssociations) {
                        Children.Exit e = children.run(cmd, env, Duration.ofSeconds(20), scratch);
                        if (e.ok()) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e.describe());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } catch (ExecutionException e) {
            throw new IOException("echoscu worker failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Result(ok.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start), firstFailure.get());
    }
}

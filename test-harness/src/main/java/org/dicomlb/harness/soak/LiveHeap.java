package org.dicomlb.harness.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.harness.bench.process.Children;

/**
 * dicomlb's live Java heap: {@code jcmd PID GC.class_histogram} collects the whole heap first and
 * then counts what is still reachable, so its total is the live set, whatever the collector. RSS
 * cannot show that: the soak runs dicomlb with its heap committed and touched from the start
 * ({@link Soak#HEAP_OPTIONS}), and a collector fills a heap with garbage long before it looks.
 * Taken twice per soak (a full collection pauses dicomlb for some milliseconds).
 */
final class LiveHeap {
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private LiveHeap() {
    }

    /** The JDK's jcmd beside the java running this soak. */
    static Path jcmd() {
        Path java = Path.of(ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the soak")));
        Path jcmd = java.resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new IllegalStateException("no jcmd beside " + java + ": the soak needs a full JDK 25");
        }
        return jcmd;
    }

    /** Reachable objects on dicomlb's heap after a full collection, in KiB. */
    static long kib(Children children, long pid, Path scratch) throws IOException, InterruptedException {
        Children.Exit e = children.runOk(List.of(jcmd().toString(), Long.toString(pid), "GC.class_histogram"), Map.of(),
                TIMEOUT, scratch);
        Matcher m = TOTAL.matcher(e.stdout());
        if (!m.find()) {
            throw new IOException("no Total line in jcmd GC.class_histogram: " + e.describe());
        }
        return Long.parseLong(m.group(2)) / 1024;
    }

    /**
     * The live heap early and late in the load, and whether it grew by more than {@code allowed}.
     *
     * @param earlySeconds when the early reading was taken, seconds since the load started
     */
    public record Check(long earlyKib, double earlySeconds, long lateKib, double lateSeconds, long allowedKib,
                        boolean passed, String detail) {
        static Check judge(long earlyKib, double earlySeconds, long lateKib, double lateSeconds, long slackKib,
                           double fraction) {
            long allowed = Math.max(slackKib, Math.round(earlyKib * fraction));
            boolean ok = lateKib - earlyKib <= allowed;
            return new Check(earlyKib, earlySeconds, lateKib, lateSeconds, allowed, ok,
                    "live heap after a full collection " + earlyKib + " KiB at " + Math.round(earlySeconds) + " s, "
                            + lateKib + " KiB at " + Math.round(lateSeconds) + " s: " + (lateKib >= earlyKib ? "+" : "")
                            + (lateKib - earlyKib) + " KiB, allowed +" + allowed);
        }

        static Check failed(String why) {
            return new Check(0, 0, 0, 0, 0, false, why);
        }
    }
}

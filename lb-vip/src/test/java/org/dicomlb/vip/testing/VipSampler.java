package org.dicomlb.vip.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples every 10 ms which namespaces hold the VIP, without forking: a {@code sleep} anchored in
 * each namespace lets us read that namespace's {@code /proc/PID/net/fib_trie}, where an address
 * configured on an interface appears as a {@code /32 host LOCAL} entry. Both namespaces are read
 * back to back (tens of microseconds apart) for each sample.
 */
public final class VipSampler implements AutoCloseable {
    /** One sample: when (System.nanoTime) and whether each node held the VIP. */
    public record Sample(long nanos, boolean[] holds) {
        public int holders() {
            int n = 0;
            for (boolean h : holds) {
                n += h ? 1 : 0;
            }
            return n;
        }
    }

    private static final int MAX_SAMPLES = 200_000;

    private final String vip;
    private final List<String> roles;
    private final List<Path> tries = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vip-sampler");
        t.setDaemon(true);
        return t;
    });
    private volatile String failure;

    /** Anchors a {@code sleep} in each role's namespace and starts sampling. */
    public VipSampler(Lab lab, Path logDir, String vip, List<String> roles) {
        this.vip = vip;
        this.roles = List.copyOf(roles);
        for (String role : roles) {
            Process anchor = lab.spawn(role, List.of("sleep", "900"), logDir.resolve("anchor-" + role + ".log"));
            tries.add(Path.of("/proc/" + anchor.pid() + "/net/fib_trie"));
        }
        timer.scheduleAtFixedRate(this::sample, 0, 10, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try {
            boolean[] holds = new boolean[tries.size()];
            for (int i = 0; i < holds.length; i++) {
                holds[i] = holds(Files.readString(tries.get(i)));
            }
            long now = System.nanoTime();
            synchronized (samples) {
                if (samples.size() < MAX_SAMPLES) {
                    samples.add(new Sample(now, holds));
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
        }
    }

    boolean holds(String fibTrie) {
        String entry = "|-- " + vip + "\n";
        int at = fibTrie.indexOf(entry);
        while (at >= 0) {
            int next = at + entry.length();
            int eol = fibTrie.indexOf('\n', next);
            if (fibTrie.substring(next, eol < 0 ? fibTrie.length() : eol).contains("/32 host LOCAL")) {
                return true;
            }
            at = fibTrie.indexOf(entry, next);
        }
        return false;
    }

    public List<Sample> samples() {
        if (failure != null) {
            throw new AssertionError("sampling failed: " + failure);
        }
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    public int index(String role) {
        int i = roles.indexOf(role);
        if (i < 0) {
            throw new IllegalArgumentException(role);
        }
        return i;
    }

    /** The latest sample's view: true when {@code role} held the VIP. */
    public boolean holdsNow(String role) {
        List<Sample> s = samples();
        return !s.isEmpty() && s.getLast().holds()[index(role)];
    }

    /** The first sample at or after {@code fromNanos} where {@code role} holds the VIP, or -1. */
    public long firstHolding(String role, long fromNanos) {
        int i = index(role);
        for (Sample s : samples()) {
            if (s.nanos() >= fromNanos && s.holds()[i]) {
                return s.nanos();
            }
        }
        return -1;
    }

    /** The samples since {@code fromNanos} where more than one node held the VIP. */
    public List<Sample> overlaps(long fromNanos) {
        return samples().stream().filter(s -> s.nanos() >= fromNanos && s.holders() > 1).toList();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

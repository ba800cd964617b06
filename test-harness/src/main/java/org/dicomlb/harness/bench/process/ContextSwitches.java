package org.dicomlb.harness.bench.process;

/**
 * Context switches of a process's threads so far, from {@code /proc/PID/task/TID/status}:
 * voluntary (the thread blocked: for a server, it went to sleep in {@code epoll_wait} and had to
 * be woken) and involuntary (the scheduler took the CPU from a thread that could have gone on).
 */
public record ContextSwitches(long voluntary, long involuntary) {
    public ContextSwitches plus(ContextSwitches other) {
        return new ContextSwitches(voluntary + other.voluntary, involuntary + other.involuntary);
    }

    public ContextSwitches minus(ContextSwitches before) {
        return new ContextSwitches(voluntary - before.voluntary, involuntary - before.involuntary);
    }
}

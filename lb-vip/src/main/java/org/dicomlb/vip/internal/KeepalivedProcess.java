package org.dicomlb.vip.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One keepalived process in the foreground, its output pumped into dicomlb's log on a thread of
 * its own, the last lines kept for error messages.
 */
public final class KeepalivedProcess {
    private static final Logger KEEPALIVED = LoggerFactory.getLogger("org.dicomlb.vip.keepalived");
    /** keepalived's console log prefixes every line with its own timestamp; ours already has one. */
    private static final Pattern STAMP = Pattern.compile("^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}: ");
    private static final int TAIL_LINES = 12;
    private static final int MAX_LINE = 1024;

    private final Process process;
    private final long generation;
    private final Instant started;
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread pump;
    private volatile boolean stopRequested;

    private KeepalivedProcess(Process process, long generation) {
        this.process = process;
        this.generation = generation;
        this.started = Instant.now();
        this.pump = Thread.ofPlatform().daemon().name("dicomlb-vip-keepalived-" + generation).start(this::pumpOutput);
    }

    /**
     * Starts {@code command}. Call it from the thread that must stay alive as long as keepalived
     * does: the command runs under {@code setpriv --pdeathsig}, and Linux sends that signal when
     * the thread that forked the child ends, not just the process.
     */
    public static KeepalivedProcess start(List<String> command, long generation) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return new KeepalivedProcess(p, generation);
    }

    public long pid() {
        return process.pid();
    }

    public long generation() {
        return generation;
    }

    public Instant started() {
        return started;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    public int exitValue() {
        return process.exitValue();
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    /** SIGTERM: keepalived sends a priority 0 advert, removes the VIP and exits. */
    public void stop() {
        stopRequested = true;
        process.destroy();
    }

    /** SIGKILL, when SIGTERM was not enough in time. keepalived's VRRP child still gets SIGTERM from its parent's death. */
    public void kill() {
        stopRequested = true;
        process.destroyForcibly();
    }

    /** The last lines keepalived printed, for an error message. */
    public List<String> tail() {
        waitForPump();
        synchronized (tail) {
            return new ArrayList<>(tail);
        }
    }

    private void waitForPump() {
        if (!process.isAlive()) {
            try {
                pump.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void pumpOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String text = STAMP.matcher(line).replaceFirst("");
                if (text.length() > MAX_LINE) {
                    text = text.substring(0, MAX_LINE) + "...";
                }
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(text);
                }
                // Routine detail (and keepalived's complaint about a script user no script of ours needs) at debug.
                if (text.contains("gratuitous ARP") || text.startsWith("VRRP sockpool") || text.startsWith("Assigned address")
                        || text.startsWith("Script user ")) {
                    KEEPALIVED.debug("[{}] {}", pid(), text);
                } else {
                    KEEPALIVED.info("[{}] {}", pid(), text);
                }
            }
        } catch (IOException e) {
            KEEPALIVED.debug("keepalived output closed: {}", e.toString());
        }
    }
}

package org.dicomlb.healthcheck;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A check whose results the test sets; it records every probe it was asked for. */
public final class ScriptedCheck implements HealthCheck {
    private volatile CheckResult next = CheckResult.success("ok");
    private volatile boolean hang;
    private final List<CompletableFuture<CheckResult>> probes = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> addresses = new CopyOnWriteArrayList<>();

    public static final CheckResult OK = CheckResult.success("ok");
    public static final CheckResult REFUSED = CheckResult.failure("connect refused");

    /** Every later probe answers {@code result} at once. */
    public ScriptedCheck answer(CheckResult result) {
        this.next = result;
        this.hang = false;
        return this;
    }

    /** Every later probe never answers (the checker's deadline must end it). */
    public ScriptedCheck hang() {
        this.hang = true;
        return this;
    }

    @Override
    public CompletableFuture<CheckResult> probe(InetSocketAddress address, Duration timeout) {
        CompletableFuture<CheckResult> f = hang ? new CompletableFuture<>() : CompletableFuture.completedFuture(next);
        probes.add(f);
        addresses.add(address);
        return f;
    }

    public int probes() {
        return probes.size();
    }

    public List<CompletableFuture<CheckResult>> futures() {
        return new ArrayList<>(probes);
    }

    public List<InetSocketAddress> addresses() {
        return new ArrayList<>(addresses);
    }
}

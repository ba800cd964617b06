package org.dicomlb.healthcheck;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One kind of active probe (the check SPI). Implementations run on the checker's own event loops
 * ({@link ProbeTransport}) and never block the caller.
 *
 * <p>Contract: the future completes normally with a {@link CheckResult}, failures included
 * (exceptional completion is read as a failure with the exception's text). The checker enforces
 * {@code timeout} itself by cancelling the future; an implementation must then release what it
 * holds (close its channel), and it may complete earlier with {@link CheckResult#timeout}.
 * {@code probe} is called on the checker's control thread; keep it short.
 */
@FunctionalInterface
public interface HealthCheck {
    CompletableFuture<CheckResult> probe(InetSocketAddress address, Duration timeout);
}

package org.dicomlb.dnsproxy;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@code dns} backend resolves to now. Immutable; a new one is published whenever
 * {@code state} or {@code addresses} change.
 *
 * <p>Addresses that a new resolution no longer lists "left the answer" when {@code result}
 * {@linkplain RoundResult#answered() is an answer}; when it is {@link RoundResult#FAILED} they were
 * dropped because no resolver answered for resolve-fall rounds, which says nothing about them.
 *
 * @param id                  the engine's id of the backend, {@code pool/backend}
 * @param name                the hostname resolved
 * @param state               up while {@code addresses} is not empty
 * @param addresses           the endpoints to use, each with the backend's port: one with
 *                            {@code addresses: first}, every distinct address in numeric order with
 *                            {@code addresses: all}; empty while down
 * @param result              how the last round ended
 * @param resolver            the resolver whose answer {@code addresses} (or the NXDOMAIN/NODATA) came from
 * @param answeredAt          when that answer came
 * @param lastRoundAt         when the last round ended, answered or not
 * @param consecutiveFailures rounds in a row in which no resolver answered
 * @param reason              why the backend is down, or what failed while the last answer is kept
 */
public record Resolution(String id, String name, ResolutionState state, List<InetSocketAddress> addresses,
                         RoundResult result, Optional<InetSocketAddress> resolver, Optional<Instant> answeredAt,
                         Optional<Instant> lastRoundAt, int consecutiveFailures, Optional<String> reason) {
    public Resolution {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(answeredAt, "answeredAt");
        Objects.requireNonNull(lastRoundAt, "lastRoundAt");
        Objects.requireNonNull(reason, "reason");
        if ((state == ResolutionState.UP) == addresses.isEmpty()) {
            throw new IllegalArgumentException("a resolution is up exactly when it has addresses");
        }
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutiveFailures is negative");
        }
    }

    /** The resolution of a backend that was just added: down until the first answer. */
    public static Resolution pending(String id, String name) {
        return new Resolution(id, name, ResolutionState.DOWN, List.of(), RoundResult.PENDING, Optional.empty(),
                Optional.empty(), Optional.empty(), 0, Optional.of("not resolved yet"));
    }

    public boolean up() {
        return state == ResolutionState.UP;
    }

    /** True when the engine must act: the state or the addresses differ. */
    public boolean changedFrom(Resolution other) {
        return other == null || state != other.state || !addresses.equals(other.addresses);
    }
}

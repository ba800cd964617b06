package org.dicomlb.engine.pool;

/**
 * The result of asking a pool for a backend.
 *
 * @param endpoint the backend whose slot was acquired, when {@code outcome} is ACQUIRED
 */
public record Pick(Outcome outcome, Endpoint endpoint) {
    public enum Outcome {
        /** A slot on {@code endpoint} is held for this connection. */
        ACQUIRED,
        /** No eligible backend is left to try (all down, drained, or already tried). */
        NONE_ELIGIBLE,
        /** Eligible backends exist but all are at their max-connections. */
        ALL_BUSY
    }

    static final Pick NONE = new Pick(Outcome.NONE_ELIGIBLE, null);
    static final Pick BUSY = new Pick(Outcome.ALL_BUSY, null);

    static Pick of(Endpoint e) {
        return new Pick(Outcome.ACQUIRED, e);
    }
}

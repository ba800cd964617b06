package org.dicomlb.engine.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits, bounded in time, for something that happens on another thread (an access-log line ...). */
public final class Eventually {
    private Eventually() {
    }

    public static void until(BooleanSupplier condition, Duration within, Supplier<?> whatWasSeen) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + "; saw: " + whatWasSeen.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}

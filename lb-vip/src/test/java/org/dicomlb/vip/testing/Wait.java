package org.dicomlb.vip.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls for a condition with a deadline: tests wait for what they need instead of sleeping. */
public final class Wait {
    private Wait() {
    }

    public static void until(Duration within, String what, BooleanSupplier condition) {
        until(within, () -> what, condition);
    }

    public static void until(Duration within, Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within.toMillis() + " ms: " + what.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what.get());
            }
        }
    }
}

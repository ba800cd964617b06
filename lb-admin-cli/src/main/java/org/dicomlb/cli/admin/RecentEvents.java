package org.dicomlb.cli.admin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The last {@value #CAPACITY} transitions the appliance went through, newest first: health
 * changes of every owner's targets, operators' admin-state changes, connection closes and VIP
 * demotions, reloads and GSLB failbacks. Shown by the status page and {@code status.events}.
 *
 * <p>It lives in the composition root, not in the engine: the root is the one place that sees
 * every module's events through their public seams (the shared health checker's subscription,
 * the admin actions it carries out, the reloads it applies), while the engine sees only its own.
 *
 * <p>Writers are rare (a transition, an operator's call) and readers take a snapshot, so the list
 * is replaced whole (copy on write, at most {@value #CAPACITY} entries): no lock, and a reader
 * never sees a list being changed. Any thread.
 */
public final class RecentEvents {
    static final int CAPACITY = 100;

    /**
     * One transition.
     *
     * @param kind    {@code health}, {@code admin-state}, {@code connection}, {@code reload},
     *                {@code gslb} or {@code vip}
     * @param subject what changed: {@code pool/backend}, a GSLB member's check id, a connection id
     * @param text    what happened, in words
     */
    public record Event(Instant at, String kind, String subject, String text) {
        public Event {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(text, "text");
        }
    }

    private final AtomicReference<List<Event>> events = new AtomicReference<>(List.of());

    public void add(String kind, String subject, String text) {
        add(new Event(Instant.now(), kind, subject, text));
    }

    public void add(Event e) {
        events.updateAndGet(old -> {
            List<Event> next = new ArrayList<>(Math.min(old.size() + 1, CAPACITY));
            next.add(e);
            next.addAll(old.subList(0, Math.min(old.size(), CAPACITY - 1)));
            return List.copyOf(next);
        });
    }

    /** Newest first. */
    public List<Event> snapshot() {
        return events.get();
    }
}

package org.dicomlb.l4.config;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The listeners the kernel serves. The composition root derives it from the engine's listeners of
 * mode {@code dsr} and {@code nat}; the file's validation has already placed every error.
 */
public record L4Config(List<L4Listener> listeners) {
    public static final L4Config EMPTY = new L4Config(List.of());

    public L4Config {
        listeners = List.copyOf(listeners);
        Set<String> names = new HashSet<>();
        Set<InetSocketAddress> vips = new HashSet<>();
        for (L4Listener l : listeners) {
            if (!names.add(l.name())) {
                throw new IllegalArgumentException("two kernel listeners are named '" + l.name() + "'");
            }
            if (!vips.add(l.vip())) {
                throw new IllegalArgumentException("two kernel listeners serve " + l.vip());
            }
        }
    }

    public boolean isEmpty() {
        return listeners.isEmpty();
    }
}

package org.dicomlb.l4.internal;

import java.util.Objects;
import org.dicomlb.l4.PoolView;

/**
 * A pool member as a kernel listener can use it.
 *
 * @param mac     its MAC address on the listener's interface (DSR), null when not known or not needed (NAT)
 * @param problem why the kernel cannot send to it at all (no MAC, an IPv6 address ...), empty when it can
 */
public record Target(PoolView.Member member, String mac, String problem) {
    public Target {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(problem, "problem");
    }

    public boolean usable() {
        return problem.isEmpty();
    }
}

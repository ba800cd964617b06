package org.dicomlb.gslb.select;

import java.util.List;
import java.util.Objects;

/**
 * What a name answers for one client and address family, and why. An empty {@code members}
 * list means SERVFAIL (no member is healthy and the fallback is {@code refuse}).
 */
public record Choice(List<Candidate> members, String why) {
    public Choice {
        members = List.copyOf(members);
        Objects.requireNonNull(why, "why");
    }

    public boolean refused() {
        return members.isEmpty();
    }
}

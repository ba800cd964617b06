package org.dicomlb.gslb.select;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.dicomlb.gslb.config.Fallback;
import org.dicomlb.gslb.config.Method;

/**
 * Picks the answer of one name from its members of one address family. Stateless; every input
 * is an immutable value, so event loops call it per query without locks.
 *
 * <p>Members are taken from the best group that is not empty: the eligible ones; else the healthy
 * ones the failback policy still holds (an archive that has not caught up beats no archive);
 * else, with fallback {@code all}, every member; with {@code refuse}, none (SERVFAIL).
 */
public final class Selector {
    private Selector() {
    }

    /**
     * @param members          the name's members of the queried family, in configured order
     * @param clientDatacenter the client's datacenter (topology only)
     */
    public static Choice choose(Method method, Fallback fallback, List<Candidate> members,
                                Optional<String> clientDatacenter, RandomGenerator random) {
        List<Candidate> pool = of(members, Candidate.State.ELIGIBLE);
        String group = "";
        if (pool.isEmpty()) {
            pool = of(members, Candidate.State.HELD);
            group = "held for failback, no other member healthy; ";
            if (pool.isEmpty()) {
                if (fallback == Fallback.REFUSE) {
                    return new Choice(List.of(), "no member healthy; fallback refuse answers SERVFAIL");
                }
                pool = members;
                group = "no member healthy; fallback all; ";
            }
        }
        return switch (method) {
            case FAILOVER -> new Choice(List.of(pool.getFirst()), group + "first healthy in failover order");
            case ALL -> new Choice(pool, group + "every healthy member");
            case WEIGHTED -> new Choice(List.of(weighted(pool, random)), group + "weighted pick");
            case TOPOLOGY -> topology(pool, clientDatacenter, group);
        };
    }

    private static Choice topology(List<Candidate> pool, Optional<String> dc, String group) {
        if (dc.isPresent()) {
            for (Candidate c : pool) {
                if (c.datacenter().equals(dc)) {
                    return new Choice(List.of(c), group + "client's datacenter " + dc.get());
                }
            }
            return new Choice(List.of(pool.getFirst()), group + "nothing healthy in client's datacenter " + dc.get()
                    + ", first in failover order");
        }
        return new Choice(List.of(pool.getFirst()), group + "client in no datacenter, first in failover order");
    }

    private static Candidate weighted(List<Candidate> pool, RandomGenerator random) {
        int total = 0;
        for (Candidate c : pool) {
            total += c.weight();
        }
        int r = random.nextInt(total);
        for (Candidate c : pool) {
            r -= c.weight();
            if (r < 0) {
                return c;
            }
        }
        return pool.getLast();
    }

    private static List<Candidate> of(List<Candidate> members, Candidate.State state) {
        List<Candidate> out = new ArrayList<>(members.size());
        for (Candidate c : members) {
            if (c.state() == state) {
                out.add(c);
            }
        }
        return out;
    }
}

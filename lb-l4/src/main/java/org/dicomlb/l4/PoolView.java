package org.dicomlb.l4;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the kernel listeners see of the appliance's pools: the composition root answers it from
 * the engine's published pool snapshots. Any thread, without blocking. The pools keep their
 * health checks, admin states and slow start; this only reports where they stand.
 */
public interface PoolView {
    /** The pool's members now, or empty when there is no such pool. */
    Optional<PoolState> pool(String name);

    /** How new flows are spread. */
    enum Balance {
        /** By a hash of the client's address and port: each connection on its own. */
        FLOW,
        /** By a hash of the client's address alone: every connection of a client to one real server. */
        SOURCE,
        /** Every new flow to the first member able to take one, in file order. */
        FIRST
    }

    record PoolState(Balance balance, List<Member> members) {
        public PoolState {
            Objects.requireNonNull(balance, "balance");
            members = List.copyOf(members);
        }
    }

    /**
     * One endpoint of the pool.
     *
     * @param id            its stable id ({@code pool/backend}, or {@code pool/backend@ip:port}):
     *                      what the slot table hashes, so both appliances of a pair fill it alike
     * @param backend       the backend's name, for status and meter tags
     * @param weight        the configured weight
     * @param newFlowWeight the weight new flows use now (slow start ramps it), in any unit
     * @param eligible      may take new flows as far as the pool is concerned (healthy, admin
     *                      state ready, weight above 0); the backup tier is decided here
     * @param alive         its health lets established flows continue (not down)
     * @param condition     why it is not eligible ({@code drain}, {@code maint}, the health
     *                      check's reason ...), empty when it is
     */
    record Member(String id, String backend, InetSocketAddress address, boolean backup, int weight, long newFlowWeight,
                  boolean eligible, boolean alive, String condition) {
        public Member {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(condition, "condition");
            if (weight < 0 || newFlowWeight < 0) {
                throw new IllegalArgumentException("weights must not be negative");
            }
        }
    }
}

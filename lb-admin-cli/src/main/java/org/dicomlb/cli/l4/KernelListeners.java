package org.dicomlb.cli.l4;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.config.Balance;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.ListenerMode;
import org.dicomlb.engine.config.SourceAddress;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.pool.PoolSnapshot;
import org.dicomlb.l4.PoolView;
import org.dicomlb.l4.config.L4Config;
import org.dicomlb.l4.config.L4Listener;

/**
 * The composition root's glue between the engine and lb-l4: the kernel's listeners from the
 * engine's section, and the engine's pools as lb-l4 sees them.
 */
public final class KernelListeners {
    private KernelListeners() {
    }

    /** The listeners of mode dsr and nat, as lb-l4 serves them (the flow table sized and timed by the listener's own keys). */
    public static L4Config of(EngineConfig engine) {
        List<L4Listener> out = new ArrayList<>();
        for (ListenerConfig l : engine.listeners()) {
            switch (l.mode()) {
                case ListenerMode.Dsr d -> out.add(L4Listener.dsr(l.name(), l.bind(), l.pool(), d.interfaceName(),
                        l.timeouts().idle(), l.maxConnections()));
                case ListenerMode.Nat n -> out.add(L4Listener.nat(l.name(), l.bind(), l.pool(),
                        l.source() == SourceAddress.APPLIANCE));
                default -> {
                }
            }
        }
        return new L4Config(out);
    }

    /** The engine's published pool snapshots, as lb-l4 reads them (any thread, no lock). */
    public static PoolView pools(Engine engine) {
        return name -> {
            Pool p = engine.pool(name);
            if (p == null) {
                return Optional.empty();
            }
            PoolSnapshot s = p.snapshot();
            List<PoolView.Member> members = new ArrayList<>();
            for (Backend b : s.backends()) {
                for (Endpoint e : b.endpoints()) {
                    members.add(new PoolView.Member(e.id(), b.name(), e.address(), b.config().backup(), b.config().weight(),
                            e.balanceWeight(), e.eligible(), e.health().serving(), condition(b, e)));
                }
            }
            return Optional.of(new PoolView.PoolState(balance(s.config().balance()), members));
        };
    }

    /** Why an endpoint takes no new connections, as status words it; empty when it does. */
    private static String condition(Backend b, Endpoint e) {
        if (!e.health().serving()) {
            return "health: " + (e.health().reason().isEmpty() ? "down" : e.health().reason());
        }
        return switch (b.adminState()) {
            case DRAIN -> "drain";
            case MAINT -> "maint";
            case READY -> b.config().weight() == 0 ? "weight 0" : "";
        };
    }

    /**
     * The kernel hashes flows: roundrobin and leastconn (which need a connection count the kernel
     * does not keep) spread by the hash of address and port, weights honoured.
     */
    static PoolView.Balance balance(Balance b) {
        return switch (b) {
            case SOURCE -> PoolView.Balance.SOURCE;
            case FIRST -> PoolView.Balance.FIRST;
            case ROUNDROBIN, LEASTCONN -> PoolView.Balance.FLOW;
        };
    }
}

package org.dicomlb.l4.testing;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.dicomlb.l4.PoolView;

/** Pools the test sets by hand, as the engine's snapshots would report them. */
public final class FakePools implements PoolView {
    private final Map<String, PoolState> pools = new ConcurrentHashMap<>();

    @Override
    public Optional<PoolState> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    public void set(String pool, Balance balance, PoolView.Member... members) {
        pools.put(pool, new PoolState(balance, List.of(members)));
    }

    /** A member that takes new flows at full weight. */
    public static PoolView.Member up(String pool, String backend, String ip, int port) {
        return new PoolView.Member(pool + "/" + backend, backend, new InetSocketAddress(ip, port), false, 1, 1000, true, true, "");
    }

    public static PoolView.Member drained(String pool, String backend, String ip, int port) {
        return new PoolView.Member(pool + "/" + backend, backend, new InetSocketAddress(ip, port), false, 1, 1000, false, true,
                "drain");
    }

    public static PoolView.Member down(String pool, String backend, String ip, int port) {
        return new PoolView.Member(pool + "/" + backend, backend, new InetSocketAddress(ip, port), false, 1, 1000, false, false,
                "health: connect timeout");
    }

    public static List<PoolView.Member> list(PoolView.Member... m) {
        return new ArrayList<>(List.of(m));
    }
}

package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Location;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.HealthCheckReader;

/**
 * Reads the engine's sections ({@code admin}, {@code listeners}, {@code pools}) of the root
 * mapping. Field errors, duplicate names, dangling pool references and overlapping bind
 * addresses are all recorded in the section's {@link Problems}; the result is only meaningful
 * when no problem was recorded.
 */
public final class EngineConfigReader {
    private static final Duration MAX_TIMEOUT = Duration.ofDays(7);

    private EngineConfigReader() {
    }

    /** Reads {@code admin}, {@code listeners} and {@code pools} from the root section. */
    public static EngineConfig read(Section root) {
        Optional<AdminConfig> admin = root.section("admin").map(EngineConfigReader::admin);
        Map<String, Location> poolNames = new HashMap<>();
        List<PoolConfig> pools = new ArrayList<>();
        for (Section s : root.sections("pools", "pool")) {
            PoolConfig p = pool(s, poolNames);
            if (p != null) {
                pools.add(p);
            }
        }
        if (!root.has("pools")) {
            root.error("the configuration needs 'pools' (at least one pool with backends)");
        }
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, Location> listenerNames = new HashMap<>();
        List<Bound> binds = new ArrayList<>();
        admin.ifPresent(a -> binds.add(new Bound("the admin listener", a.listen(), root.locationOf("admin"))));
        for (Section s : root.sections("listeners", "listener")) {
            ListenerConfig l = listener(s, poolNames, listenerNames, binds);
            if (l != null) {
                listeners.add(l);
            }
        }
        if (!root.has("listeners")) {
            root.error("the configuration needs 'listeners' (at least one)");
        }
        return new EngineConfig(admin, listeners, pools);
    }

    private static AdminConfig admin(Section s) {
        InetSocketAddress listen = s.requiredAddress("listen");
        Optional<Path> token = s.optionalString("token-file").map(Path::of);
        if (listen != null && token.isEmpty() && !listen.getAddress().isLoopbackAddress()) {
            // Reload and drain are operations on live patient traffic; never offer them unauthenticated.
            s.error("listen", "admin listener on " + SocketAddresses.format(listen)
                    + " is reachable from the network; set 'token-file' or bind it to a loopback address");
        }
        return s.build(() -> new AdminConfig(listen, token));
    }

    private record Bound(String what, InetSocketAddress address, Location location) {
        boolean overlaps(InetSocketAddress other) {
            if (address.getPort() != other.getPort()) {
                return false;
            }
            var a = address.getAddress();
            var b = other.getAddress();
            if (a.equals(b)) {
                return true;
            }
            // A wildcard bind takes the port on every address of its family (and, for ::, of both).
            boolean sameFamily = a.getClass() == b.getClass();
            return (a.isAnyLocalAddress() && (sameFamily || a instanceof java.net.Inet6Address))
                    || (b.isAnyLocalAddress() && (sameFamily || b instanceof java.net.Inet6Address));
        }
    }

    private static ListenerConfig listener(Section s, Map<String, Location> pools, Map<String, Location> names,
                                           List<Bound> binds) {
        String name = name(s, "listener", names);
        InetSocketAddress bind = s.requiredAddress("bind");
        ListenerMode mode = s.choice("mode", ListenerMode.class, ListenerMode.TCP);
        DicomListenerConfig dicom = DicomConfigReader.read(s, mode, name, pools);
        // A dicom listener with routes may do without a default pool (see ListenerConfig).
        String pool = mode == ListenerMode.DICOM && s.has("routes") ? s.optionalString("pool").orElse(null)
                : s.requiredString("pool");
        checkPool(s, "pool", "listener '" + name + "'", pool, pools);
        int max = s.integer("max-connections", ListenerConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
        Timeouts timeouts = s.section("timeouts").map(EngineConfigReader::timeouts).orElse(Timeouts.DEFAULTS);
        if (bind != null) {
            for (Bound b : binds) {
                if (b.overlaps(bind)) {
                    s.error("bind", "listener '" + name + "' binds " + SocketAddresses.format(bind) + ", which "
                            + b.what() + " already binds (" + b.location() + ")");
                    break;
                }
            }
            binds.add(new Bound("listener '" + name + "'", bind, s.locationOf("bind")));
        }
        return s.build(() -> new ListenerConfig(name, bind, mode, pool, max, timeouts, dicom));
    }

    /** Records an error at {@code key} when {@code pool} is given but not defined. */
    static void checkPool(Section s, String key, String user, String pool, Map<String, Location> pools) {
        if (pool != null && !pools.containsKey(pool)) {
            s.error(key, user + " uses pool '" + pool + "', which is not defined"
                    + (pools.isEmpty() ? "" : " (pools: " + String.join(", ", pools.keySet().stream().sorted().toList()) + ")"));
        }
    }

    private static Timeouts timeouts(Section s) {
        Timeouts d = Timeouts.DEFAULTS;
        Duration connect = s.duration("connect", d.connect(), Duration.ofMillis(1), Duration.ofMinutes(5));
        Duration idle = s.duration("idle", d.idle(), Duration.ofMillis(1), MAX_TIMEOUT);
        Duration associate = s.duration("associate", d.associate(), Duration.ofMillis(1), Duration.ofMinutes(10));
        Timeouts t = s.build(() -> new Timeouts(connect, idle, associate));
        return t == null ? d : t;
    }

    private static PoolConfig pool(Section s, Map<String, Location> names) {
        String name = name(s, "pool", names);
        Balance balance = s.choice("balance", Balance.class, Balance.ROUNDROBIN);
        int retries = s.integer("retries", PoolConfig.DEFAULT_RETRIES, 0, 100);
        QueueConfig queue = s.section("queue").map(EngineConfigReader::queue).orElse(QueueConfig.NONE);
        Optional<HealthCheckConfig> health = healthCheck(s);
        Duration slowStart = s.duration("slow-start", Duration.ZERO, Duration.ZERO, Duration.ofHours(1));
        OnDown onDown = s.choice("on-down", OnDown.class, OnDown.KEEP);
        Map<String, Location> backendNames = new HashMap<>();
        List<BackendConfig> backends = new ArrayList<>();
        for (Section b : s.sections("backends", "pool '" + name + "' backend")) {
            BackendConfig bc = backend(b, backendNames);
            if (bc != null) {
                backends.add(bc);
            }
        }
        if (s.node("backends").isEmpty()) {
            s.error("pool '" + name + "' needs 'backends' (a list of {name, address})");
        } else if (backends.isEmpty() && s.clean()) {
            s.error("backends", "pool '" + name + "' has no backends");
        } else if (s.clean() && backends.stream().allMatch(b -> b.weight() == 0)) {
            // Weight 0 drains one backend; on all of them the pool could never take a connection.
            s.error("backends", "pool '" + name + "': every backend has weight 0, so the pool can never take"
                    + " a connection; give at least one a weight above 0");
        }
        return s.build(() -> new PoolConfig(name, balance, retries, queue, backends, health, slowStart, onDown));
    }

    /**
     * {@code health-check}: absent means the default TCP connect check, {@code none} turns
     * checking off, a mapping is read by lb-healthcheck.
     */
    private static Optional<HealthCheckConfig> healthCheck(Section s) {
        Optional<ConfigNode> node = s.node("health-check");
        if (node.isEmpty()) {
            return Optional.of(PoolConfig.DEFAULT_HEALTH_CHECK);
        }
        if (node.get() instanceof ConfigNode.Scalar sc) {
            if (sc.text().strip().equals("none")) {
                return Optional.empty();
            }
            s.error("health-check", "'health-check' must be a mapping such as { type: tcp } or the word none, not "
                    + sc.describe());
            return Optional.empty();
        }
        return s.section("health-check").flatMap(HealthCheckReader::read);
    }

    private static QueueConfig queue(Section s) {
        int size = s.integer("size", 0, 0, 1_000_000);
        Duration timeout = s.duration("timeout", QueueConfig.NONE.timeout(), Duration.ofMillis(1), Duration.ofHours(1));
        QueueConfig q = s.build(() -> new QueueConfig(size, timeout));
        return q == null ? QueueConfig.NONE : q;
    }

    private static BackendConfig backend(Section s, Map<String, Location> names) {
        String name = name(s, "backend", names);
        InetSocketAddress address = s.requiredAddress("address");
        int weight = s.integer("weight", 1, 0, BackendConfig.MAX_WEIGHT);
        boolean backup = s.bool("backup", false);
        int max = s.integer("max-connections", 0, 0, 1_000_000);
        Optional<AeTitle> calledAe = s.parsed("called-ae", AeTitle::of);
        return s.build(() -> new BackendConfig(name, address, weight, backup, max, calledAe));
    }

    /** Reads and checks {@code name}: well-formed and unique among {@code seen}. */
    private static String name(Section s, String kind, Map<String, Location> seen) {
        String name = s.requiredString("name");
        if (name == null) {
            return null;
        }
        if (!Names.valid(name)) {
            s.error("name", kind + " name '" + name + "' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
            return name;
        }
        Location earlier = seen.putIfAbsent(name, s.locationOf("name"));
        if (earlier != null) {
            s.error("name", "duplicate " + kind + " name '" + name + "' (first at line " + earlier.line() + ")");
        }
        return name;
    }
}

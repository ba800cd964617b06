package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.config.Binds;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Location;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dnsproxy.config.DnsBackendReader;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.HealthCheckReader;
import org.dicomlb.tls.ClientTls;
import org.dicomlb.tls.ServerTls;
import org.dicomlb.tls.config.TlsConfigReader;

/**
 * Reads the engine's sections ({@code listeners}, {@code pools}) of the root mapping. Field
 * errors, duplicate names, dangling pool references and bind addresses another part of the file
 * already binds are all recorded in the section's {@link Problems}; the result is only meaningful
 * when no problem was recorded.
 */
public final class EngineConfigReader {
    private static final Duration MAX_TIMEOUT = Duration.ofDays(7);

    private EngineConfigReader() {
    }

    /** True when the file has engine sections at all (a GSLB-only appliance has none). */
    public static boolean present(Section root) {
        return root.has("listeners") || root.has("pools");
    }

    /**
     * Reads {@code listeners} and {@code pools} from the root section; their bind addresses are
     * claimed in {@code binds}. Both sections are required when either is present, or when
     * {@code required} (nothing else in the file would do any work).
     */
    public static EngineConfig read(Section root, Binds binds, boolean required) {
        if (!required && !present(root)) {
            return EngineConfig.EMPTY;
        }
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
        for (Section s : root.sections("listeners", "listener")) {
            ListenerConfig l = listener(s, poolNames, pools, listenerNames, binds);
            if (l != null) {
                listeners.add(l);
            }
        }
        if (!root.has("listeners")) {
            root.error("the configuration needs 'listeners' (at least one)");
        }
        return new EngineConfig(listeners, pools);
    }

    private static ListenerConfig listener(Section s, Map<String, Location> pools, List<PoolConfig> poolConfigs,
                                           Map<String, Location> names, Binds binds) {
        String name = name(s, "listener", names);
        InetSocketAddress bind = s.requiredAddress("bind");
        Optional<ServerTls> tls = TlsConfigReader.server(s, true);
        ListenerMode mode = mode(s, name, pools, tls);
        // A dicom or http listener with routes may do without a default pool (see ListenerConfig).
        String pool = (mode instanceof DicomMode || mode instanceof HttpMode) && s.has("routes")
                ? s.optionalString("pool").orElse(null) : s.requiredString("pool");
        checkPool(s, "pool", "listener '" + name + "'", pool, pools);
        int max = s.integer("max-connections", ListenerConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
        Timeouts timeouts = s.section("timeouts").map(EngineConfigReader::timeouts).orElse(Timeouts.DEFAULTS);
        Optional<SourceLimits> limits = s.section("source-limits").map(EngineConfigReader::sourceLimits);
        SourceAddress source = source(s, mode);
        if (mode.inKernel()) {
            kernel(s, name, mode, bind, tls, limits, pool, poolConfigs);
        }
        binds.claim(s, "bind", "listener '" + name + "'", bind);
        return s.build(() -> new ListenerConfig(name, bind, pool, max, timeouts, mode, tls, limits, source));
    }

    /**
     * {@code source: appliance | client}: what the backends see as the connection's source. dsr
     * real servers always see the client (the frame reaches them unchanged).
     */
    private static SourceAddress source(Section s, ListenerMode mode) {
        Optional<SourceAddress> given = s.optionalChoice("source", SourceAddress.class);
        if (mode instanceof ListenerMode.Dsr) {
            if (given.isPresent() && given.get() != SourceAddress.CLIENT) {
                s.error("source", "a dsr listener's real servers always see the client's address; leave 'source' out"
                        + " (or write source: client)");
            }
            return SourceAddress.CLIENT;
        }
        if (mode instanceof HttpMode && given.isPresent() && given.get() == SourceAddress.CLIENT) {
            // Its backend connections are kept alive and reused for the next request, whoever sent it.
            s.error("source", "source: client applies to tcp, dicom and nat listeners; an http listener reuses its"
                    + " backend connections across clients (the backends learn the client from the forwarded headers)");
        }
        return given.orElse(SourceAddress.APPLIANCE);
    }

    /**
     * What a kernel listener (dsr, nat) cannot have or must have: no tls or source limits (the
     * kernel never reads the bytes), an IPv4 address of its own, and for dsr real servers that
     * listen on the listener's own port (their packets reach them unchanged).
     */
    private static void kernel(Section s, String name, ListenerMode mode, InetSocketAddress bind, Optional<ServerTls> tls,
                               Optional<SourceLimits> limits, String pool, List<PoolConfig> pools) {
        String kind = "mode: " + mode.label();
        if (tls.isPresent()) {
            s.error("tls", "'tls' does not apply to " + kind + " listeners: the kernel forwards packets without reading"
                    + " them (use mode: tcp or dicom to terminate TLS)");
        }
        if (limits.isPresent()) {
            s.error("source-limits", "'source-limits' does not apply to " + kind + " listeners: the kernel sees packets,"
                    + " not connections");
        }
        if (bind != null && !(bind.getAddress() instanceof java.net.Inet4Address)) {
            s.error("bind", kind + " listeners serve IPv4 addresses; '" + bind.getAddress().getHostAddress()
                    + "' is not one");
        } else if (bind != null && bind.getAddress().isAnyLocalAddress()) {
            s.error("bind", "a " + kind + " listener needs its own address (the VIP), not 0.0.0.0");
        }
        if (!(mode instanceof ListenerMode.Dsr) || bind == null || pool == null) {
            return;
        }
        for (PoolConfig p : pools) {
            if (!p.name().equals(pool)) {
                continue;
            }
            for (BackendConfig b : p.backends()) {
                int port = switch (b.address()) {
                    case BackendAddress.Static st -> st.address().getPort();
                    case BackendAddress.Dns d -> d.config().port();
                };
                if (port != bind.getPort()) {
                    s.error("pool", "listener '" + name + "' is mode: dsr, so its real servers receive the client's"
                            + " packets unchanged, to port " + bind.getPort() + "; backend '" + b.name() + "' of pool '"
                            + pool + "' is on port " + port);
                }
            }
        }
    }

    /** {@code source-limits}: per client address (or subnet) connection and rate limits. */
    private static SourceLimits sourceLimits(Section s) {
        int connections = s.integer("connections", 0, 0, 1_000_000);
        double rate = s.parsed("rate", EngineConfigReader::rate).orElse(0.0);
        int burst = s.integer("burst", Math.max(1, (int) Math.ceil(rate)), 1, 1_000_000);
        int v4 = s.integer("ipv4-prefix", SourceLimits.DEFAULT_IPV4_PREFIX, 0, 32);
        int v6 = s.integer("ipv6-prefix", SourceLimits.DEFAULT_IPV6_PREFIX, 0, 128);
        int max = s.integer("max-sources", SourceLimits.DEFAULT_MAX_SOURCES, SourceLimits.MIN_MAX_SOURCES,
                SourceLimits.MAX_MAX_SOURCES);
        if (s.clean() && connections == 0 && rate == 0) {
            s.error("source-limits needs 'connections' (open connections per source) or 'rate' (new connections per"
                    + " second, e.g. 10/s), or both");
        }
        return s.build(() -> new SourceLimits(connections, rate, burst, v4, v6, max));
    }

    /** {@code 10/s}, {@code 30/m}, {@code 600/h}: events per second. */
    static double rate(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("write a rate with its unit, e.g. 10/s or 30/m, not '" + text + "'");
        }
        double n;
        try {
            n = Double.parseDouble(t.substring(0, slash).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' does not start with a number");
        }
        double per = switch (t.substring(slash + 1).strip()) {
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3600;
            default -> throw new IllegalArgumentException("the unit of '" + text + "' must be s, m or h");
        };
        double perSecond = n / per;
        if (!(perSecond > 0) || perSecond > SourceLimits.MAX_RATE) {
            throw new IllegalArgumentException("'" + text + "' must be more than 0 and at most " + (int) SourceLimits.MAX_RATE + "/s");
        }
        return perSecond;
    }

    /** The listener's {@code mode} and that mode's own keys; keys of another mode are errors. */
    private static ListenerMode mode(Section s, String name, Map<String, Location> pools, Optional<ServerTls> tls) {
        String kind = s.string("mode", "tcp").strip();
        if (!kind.equals("dsr") && s.has("interface")) {
            s.error("interface", "'interface' applies to mode: dsr listeners only (listener '" + name + "' is mode: "
                    + kind + ")");
        }
        return switch (kind) {
            case "tcp" -> {
                DicomConfigReader.rejectDicomKeys(s, name, kind);
                HttpConfigReader.rejectHttpKeys(s, name, kind);
                yield ListenerMode.Tcp.INSTANCE;
            }
            case "dicom" -> {
                HttpConfigReader.rejectHttpKeys(s, name, kind);
                yield DicomConfigReader.read(s, name, pools, tls);
            }
            case "http" -> HttpConfigReader.read(s, name, pools);
            case "dsr" -> {
                DicomConfigReader.rejectDicomKeys(s, name, kind);
                HttpConfigReader.rejectHttpKeys(s, name, kind);
                String iface = s.requiredString("interface");
                if (iface != null && !iface.matches("[A-Za-z0-9_.@-]{1,15}")) {
                    s.error("interface", "'" + iface + "' is not an interface name (up to 15 letters, digits, '_', '.',"
                            + " '@' or '-')");
                    iface = null;
                }
                // With the interface missing or wrong (an error is recorded, nothing is built), the
                // listener is still read as dsr so that every other mistake is reported too.
                yield new ListenerMode.Dsr(iface == null ? "?" : iface);
            }
            case "nat" -> {
                DicomConfigReader.rejectDicomKeys(s, name, kind);
                HttpConfigReader.rejectHttpKeys(s, name, kind);
                yield ListenerMode.Nat.INSTANCE;
            }
            default -> {
                s.error("mode", "'mode' must be one of tcp | dicom | http | dsr | nat, not '" + kind + "'");
                yield ListenerMode.Tcp.INSTANCE;
            }
        };
    }

    /** A pool's {@code proxy-protocol}: the header its backends expect first on each connection. */
    private enum ProxyProtocolVersion { NONE, V2 }

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
        Duration request = s.duration("request", d.request(), Duration.ofMillis(1), Duration.ofMinutes(10));
        Duration keepAlive = s.duration("keep-alive", d.keepAlive(), Duration.ofMillis(1), Duration.ofHours(1));
        Duration response = s.duration("response", d.response(), Duration.ofMillis(1), MAX_TIMEOUT);
        Timeouts t = s.build(() -> new Timeouts(connect, idle, associate, request, keepAlive, response));
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
        Optional<ClientTls> tls = TlsConfigReader.client(s);
        boolean proxyProtocol = s.choice("proxy-protocol", ProxyProtocolVersion.class, ProxyProtocolVersion.NONE)
                == ProxyProtocolVersion.V2;
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
        return s.build(() -> new PoolConfig(name, balance, retries, queue, backends, health, slowStart, onDown, tls,
                proxyProtocol));
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
        BackendAddress address = address(s);
        int weight = s.integer("weight", 1, 0, BackendConfig.MAX_WEIGHT);
        boolean backup = s.bool("backup", false);
        int max = s.integer("max-connections", 0, 0, 1_000_000);
        Optional<AeTitle> calledAe = s.parsed("called-ae", AeTitle::of);
        return s.build(() -> new BackendConfig(name, address, weight, backup, max, calledAe));
    }

    /**
     * Where the backend's addresses come from: {@code address: ip:port}, or {@code dns: NAME} with
     * the keys of that kind (read by lb-dnsproxy). Exactly one of the two.
     */
    private static BackendAddress address(Section s) {
        boolean fixed = s.has("address");
        boolean dns = s.has("dns");
        if (fixed && dns) {
            s.error("dns", s.what() + " has both 'address' and 'dns'; give 'address: ip:port' for a fixed server or "
                    + "'dns: NAME' for a name resolved on a schedule, not both");
            DnsBackendReader.KEYS.forEach(s::has); // one error is enough: its other keys are not "unknown"
            return null;
        }
        if (dns) {
            return DnsBackendReader.read(s).map(BackendAddress.Dns::new).orElse(null);
        }
        if (!fixed) {
            s.error(s.what() + " needs 'address' (ip:port of a fixed server) or 'dns' (a hostname resolved on a "
                    + "schedule)");
            return null;
        }
        for (String key : DnsBackendReader.KEYS) {
            if (!key.equals("dns") && s.has(key)) {
                s.error(key, "'" + key + "' applies to dns backends only (" + s.what() + " has a fixed 'address')");
            }
        }
        InetSocketAddress a = s.requiredAddress("address");
        return a == null ? null : new BackendAddress.Static(a);
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

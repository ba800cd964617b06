package org.dicomlb.harness.bench;

/**
 * The ways a client reaches a server: directly, through dicomlb or through HAProxy in the proxy
 * scenarios; from dicomlb's GSLB or from gdnsd in the DNS scenario (where dicomlb is the server).
 * Some scenarios also measure a floor: the least program on dicomlb's transport and JVM settings
 * that does the same exchange, so a gap to the peer can be told apart as dicomlb's own or the
 * platform's. Floors have no column in the table; the notes give them.
 */
public enum Variant {
    /** Client straight to the backend: the ceiling, and the baseline for "added" cost. */
    DIRECT("direct"),
    /** Through dicomlb, started from the generated YAML. */
    DICOMLB("dicomlb"),
    /** Through HAProxy in mode tcp with the equivalent generated configuration. */
    HAPROXY("HAProxy"),
    /** gdnsd, the authoritative DNS server dicomlb's GSLB is compared with; the DNS scenario starts it. */
    GDNSD("gdnsd"),
    /** The floor of the proxy scenarios ({@code proxy.NettyRelay}): what a connection costs before any of dicomlb's code. */
    NETTY_RELAY("Netty relay", "the least relay on dicomlb's transport and JVM settings"),
    /** The floor of the DNS scenario ({@code proxy.NettyUdpFloor}): what a query costs before any of the GSLB's code. */
    NETTY_UDP("Netty UDP floor", "the least UDP responder on dicomlb's transport and JVM settings, answering each query with an empty NOERROR"),
    /** The floor of the http listener's scenarios ({@code proxy.NettyHttpFloor}): what a request costs on Netty's HTTP codec before any of dicomlb's code. */
    NETTY_HTTP("Netty HTTP floor", "the least HTTP/1.1 proxy on dicomlb's transport, JVM settings and HTTP codec: one kept-alive backend connection per client, dicomlb's default forwarded fields added");

    /** The variants of every proxy scenario. */
    public static final java.util.List<Variant> PROXY_SCENARIOS = java.util.List.of(DIRECT, DICOMLB, HAPROXY);
    /** The same and the Netty relay: for the scenarios where the transport's own cost is the question. */
    public static final java.util.List<Variant> WITH_NETTY_RELAY = java.util.List.of(DIRECT, DICOMLB, HAPROXY, NETTY_RELAY);
    /** The proxy variants and the Netty HTTP floor: for the http listener's scenarios. */
    public static final java.util.List<Variant> WITH_NETTY_HTTP = java.util.List.of(DIRECT, DICOMLB, HAPROXY, NETTY_HTTP);

    private final String label;
    /** What the floor is, for floors; null for the others. */
    private final String floor;

    Variant(String label) {
        this(label, null);
    }

    Variant(String label, String floor) {
        this.label = label;
        this.floor = floor;
    }

    public String label() {
        return label;
    }

    /** For a floor, what it is (one phrase for the report's notes). */
    public java.util.Optional<String> floor() {
        return java.util.Optional.ofNullable(floor);
    }

    /** True for the variants that run as a process under test (dicomlb, HAProxy, the Netty relay and HTTP floor). */
    public boolean isProxy() {
        return this == DICOMLB || this == HAPROXY || this == NETTY_RELAY || this == NETTY_HTTP;
    }

    /** True for the variants that run on a JVM, whose JIT needs a longer warm-up. */
    public boolean isJvm() {
        return this == DICOMLB || floor != null;
    }
}

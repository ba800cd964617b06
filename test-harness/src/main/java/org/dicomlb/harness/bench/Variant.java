package org.dicomlb.harness.bench;

/**
 * The ways a client reaches a server: directly, through dicomlb or through HAProxy in the proxy
 * scenarios; from dicomlb's GSLB or from gdnsd in the DNS scenario (where dicomlb is the server).
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
    /**
     * The least relay on dicomlb's transport and JVM settings ({@code proxy.NettyRelay}): what a
     * connection costs before any of dicomlb's code. Reported in the notes, beside the table.
     */
    NETTY_RELAY("Netty relay");

    /** The variants of every proxy scenario. */
    public static final java.util.List<Variant> PROXY_SCENARIOS = java.util.List.of(DIRECT, DICOMLB, HAPROXY);
    /** The same and the Netty relay: for the scenarios where the transport's own cost is the question. */
    public static final java.util.List<Variant> WITH_NETTY_RELAY = java.util.List.of(DIRECT, DICOMLB, HAPROXY, NETTY_RELAY);

    private final String label;

    Variant(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** True for the variants that run as a process under test (dicomlb, HAProxy, the Netty relay). */
    public boolean isProxy() {
        return this == DICOMLB || this == HAPROXY || this == NETTY_RELAY;
    }

    /** True for the proxies that run on a JVM, whose JIT needs a longer warm-up. */
    public boolean isJvm() {
        return this == DICOMLB || this == NETTY_RELAY;
    }
}

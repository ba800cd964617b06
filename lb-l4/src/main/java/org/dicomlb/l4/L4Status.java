package org.dicomlb.l4;

import java.util.List;

/**
 * The kernel listeners as the admin API and {@code dicomlb status} show them.
 *
 * @param applied   the rules in the kernel are the ones rendered from the current configuration and pools
 * @param appliedAt when the last transaction went in (ISO-8601), null before any
 * @param error     why the last transaction failed, null when it did not
 */
public record L4Status(boolean applied, String appliedAt, String error, List<Listener> listeners) {
    public static final L4Status NONE = new L4Status(false, null, null, List.of());

    public L4Status {
        listeners = List.copyOf(listeners);
    }

    /**
     * @param mode          dsr or nat
     * @param bind          the VIP and port
     * @param interfaceName dsr: the interface frames arrive on and leave by; null for nat
     * @param source        what the real servers see as the client: {@code client} (dsr, nat without
     *                      masquerade) or {@code appliance} (nat with masquerade)
     * @param serving       some real server takes new flows
     */
    public record Listener(String name, String mode, String bind, String interfaceName, String pool, String source,
                           boolean serving, List<Backend> backends) {
        public Listener {
            backends = List.copyOf(backends);
        }
    }

    /**
     * One real server of a kernel listener.
     *
     * @param id      the pool endpoint's id ({@code pool/backend})
     * @param mac     its MAC address on the listener's interface (dsr), null when unknown or not needed
     * @param state   forwarding (takes new flows), draining (keeps its flows, takes no new ones),
     *                standby (a backup, or balance first), down (its flows move to the others)
     * @param reason  why it is not forwarding, empty when it is
     * @param slots   its share of new flows, in slots of {@code 4096}
     * @param packets packets the kernel sent it (nat: both directions)
     * @param bytes   bytes the kernel sent it, link-layer headers included for dsr
     */
    public record Backend(String name, String id, String address, String mac, String state, String reason, int slots,
                          long packets, long bytes) {
    }
}

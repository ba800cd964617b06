package org.dicomlb.vip;

/**
 * What only the appliance knows: whether the listeners and pools the {@code vip:} section tracks
 * can serve right now. The composition root implements it over the engine's published
 * snapshots; lb-vip asks it on its own control thread every check interval and whenever the root
 * calls {@link VipRuntime#servingChanged()}.
 *
 * <p>Implementations answer from state that is already at hand (an atomically published snapshot),
 * quickly and without blocking, and are safe to call from any thread. An unknown name answers
 * false: a node that cannot tell whether it serves must not keep the VIP over one that can.
 */
public interface ServingView {
    /** True when the listener named is bound and accepting connections. */
    boolean listenerBound(String listener);

    /** True when the pool named has at least one eligible backend (health up, admin state ready). */
    boolean poolServable(String pool);
}

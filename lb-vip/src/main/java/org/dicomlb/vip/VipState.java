package org.dicomlb.vip;

import java.util.Locale;

/** This node's VRRP state as keepalived reports it through its notify FIFO. */
public enum VipState {
    /** keepalived runs but has not reported a state yet. */
    STARTING,
    /** Holds the VIP. */
    MASTER,
    /** Ready to take the VIP over; the peer (or nobody yet) holds it. */
    BACKUP,
    /** Cannot hold the VIP: its interface is down, or dicomlb handed the VIP over on purpose. */
    FAULT,
    /** keepalived is not running (not configured, stopped, or between restarts). */
    STOPPED;

    /** Lower case, as metrics tags and the admin API show it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package org.dicomlb.harness.bench;

/** Whether a run of traffic is recorded or only warms the path up. */
public enum Phase {
    WARM_UP,
    MEASURE
}

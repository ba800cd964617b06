package org.dicomlb.harness.bench;

/** The three ways a client reaches a backend in every scenario. */
public enum Variant {
    /** Client straight to the backend: the ceiling, and the baseline for "added" cost. */
    DIRECT("direct"),
    /** Through dicomlb, started from the generated YAML. */
    DICOMLB("dicomlb"),
    /** Through HAProxy in mode tcp with the equivalent generated configuration. */
    HAPROXY("HAProxy");

    private final String label;

    Variant(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isProxy() {
        return this != DIRECT;
    }
}

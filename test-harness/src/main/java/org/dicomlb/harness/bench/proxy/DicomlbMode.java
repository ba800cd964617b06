package org.dicomlb.harness.bench.proxy;

import java.util.Locale;

/** The listener mode a benchmark route runs dicomlb in ({@code --dicom-listener-mode} chooses it for DICOM scenarios). */
public enum DicomlbMode {
    TCP,
    DICOM;

    /** As the configuration file spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

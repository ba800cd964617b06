package org.dicomlb.harness.bench.proxy;

import java.util.Locale;

/**
 * The listener mode a benchmark route runs dicomlb in ({@code --dicom-listener-mode} chooses tcp
 * or dicom for the DICOM scenarios). With {@code HTTP} HAProxy runs {@code mode http} too.
 */
public enum DicomlbMode {
    TCP,
    DICOM,
    HTTP;

    /** As the configuration file spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

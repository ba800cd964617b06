package org.dicomlb.harness.bench;

import java.nio.file.Path;
import java.util.Objects;
import org.dicomlb.harness.bench.proxy.DicomlbMode;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.proxy.Proxies;

/**
 * What a scenario may use: the process registry (everything it starts goes through it), the
 * address layout, the run's size, the proxies and two directories.
 *
 * @param scratch temporary files (configs of backends, generated data, tool output); deleted after the run
 * @param logs    server logs kept with the results
 * @param dicomListenerMode the dicomlb listener mode of the DICOM scenarios ({@code dicom} unless
 *                          {@code --dicom-listener-mode} says otherwise)
 */
public record BenchContext(Children children, Layout layout, Profile profile, Proxies proxies, Path scratch, Path logs,
                           DicomlbMode dicomListenerMode) {
    public BenchContext {
        Objects.requireNonNull(dicomListenerMode, "dicomListenerMode");
        Objects.requireNonNull(children, "children");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(proxies, "proxies");
        Objects.requireNonNull(scratch, "scratch");
        Objects.requireNonNull(logs, "logs");
    }

    /** A scratch sub-directory for one scenario. */
    public Path scratch(String scenario) {
        return scratch.resolve(scenario);
    }
}

package org.dicomlb.healthcheck;

import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.HealthCheckReader;

/** Test configs written as users write them, read by the real reader. */
public final class Configs {
    private Configs() {
    }

    public static HealthCheckConfig read(String yaml) {
        try {
            Problems problems = new Problems();
            Section s = Section.of(YamlTree.parse("test.yaml", yaml), problems, "health-check").orElseThrow();
            HealthCheckConfig c = HealthCheckReader.read(s).orElse(null);
            problems.throwIfAny();
            return c;
        } catch (Exception e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}

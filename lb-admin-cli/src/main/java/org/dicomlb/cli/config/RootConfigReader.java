package org.dicomlb.cli.config;

import java.nio.file.Path;
import org.dicomlb.config.ConfigException;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.EngineConfigReader;

/** Loads and validates a configuration file, reporting every error it contains. */
public final class RootConfigReader {
    private RootConfigReader() {
    }

    public static RootConfig load(Path file) throws ConfigException {
        return read(YamlTree.load(file));
    }

    public static RootConfig parse(String fileName, String yaml) throws ConfigException {
        return read(YamlTree.parse(fileName, yaml));
    }

    private static RootConfig read(ConfigNode root) throws ConfigException {
        Problems problems = new Problems();
        Section top = Section.of(root, problems, "the configuration").orElse(null);
        if (top == null) {
            problems.throwIfAny();
        }
        EngineConfig engine = EngineConfigReader.read(top);
        top.finish();
        problems.throwIfAny();
        return new RootConfig(engine);
    }
}

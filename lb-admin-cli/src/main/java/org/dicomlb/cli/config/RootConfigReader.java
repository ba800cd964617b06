package org.dicomlb.cli.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.dicomlb.config.Binds;
import org.dicomlb.config.ConfigException;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.EngineConfigReader;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.gslb.config.GslbConfig;
import org.dicomlb.gslb.config.GslbConfigReader;
import org.dicomlb.vip.config.VipConfig;
import org.dicomlb.vip.config.VipConfigReader;

/**
 * Loads and validates a configuration file, reporting every error it contains. Each section is
 * read by the module that owns it; addresses bound by several sections are checked across them.
 */
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
        Binds binds = new Binds();
        Optional<AdminConfig> admin = top.section("admin").map(s -> AdminConfigReader.read(s, binds));
        // A file may run the proxy, the GSLB, or both; with a gslb section the proxy sections are optional.
        boolean gslbWanted = top.node("gslb").isPresent();
        EngineConfig engine = EngineConfigReader.read(top, binds, !gslbWanted);
        Set<String> pools = engine.pools().stream().map(PoolConfig::name).collect(Collectors.toSet());
        Optional<GslbConfig> gslb = top.section("gslb").map(s -> GslbConfigReader.read(s, pools, binds));
        // The VIP tracks pools and listeners by name: it is read with the names this file defines.
        Set<String> listeners = engine.listeners().stream().map(ListenerConfig::name).collect(Collectors.toSet());
        Optional<VipConfig> vip = top.section("vip").map(s -> VipConfigReader.read(s, pools, listeners));
        top.finish();
        problems.throwIfAny();
        return new RootConfig(admin, engine, gslb, vip);
    }
}

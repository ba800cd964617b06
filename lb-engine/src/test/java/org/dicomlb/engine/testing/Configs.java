package org.dicomlb.engine.testing;

import java.nio.file.Path;
import org.dicomlb.config.ConfigException;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.EngineConfigReader;

/** Engine configurations from YAML text, as the real reader sees them. */
public final class Configs {
    private Configs() {
    }

    public static EngineConfig engine(String yaml) {
        try {
            Problems p = new Problems();
            Section root = Section.of(YamlTree.parse("test.yaml", yaml), p, "the configuration").orElseThrow();
            EngineConfig c = EngineConfigReader.read(root, new org.dicomlb.config.Binds(), true);
            root.finish();
            p.throwIfAny();
            return c;
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * An http listener {@code web} on 127.0.0.1:{@code port} in front of pool {@code p}, whose one
     * backend is {@code backend} and which has no health check; {@code listenerExtra} and
     * {@code poolExtra} are further lines of YAML for the listener and the pool.
     */
    public static String httpListener(int port, HttpTestBackend backend, String listenerExtra, String poolExtra) {
        return httpListener(port, backend.name(), backend.hostPort(), listenerExtra, poolExtra);
    }

    /** {@link #httpListener(int, HttpTestBackend, String, String)} with TLS: {@code certificate} and {@code key}. */
    public static String httpsListener(int port, Path certificate, Path key, HttpTestBackend backend, String listenerExtra,
                                       String poolExtra) {
        return httpListener(port, backend.name(), backend.hostPort(),
                "tls: { certificate: %s, key: %s }\n%s".formatted(certificate, key, listenerExtra), poolExtra);
    }

    /**
     * A plain http listener {@code web} on 127.0.0.1:{@code port} in front of pool {@code p}, whose
     * one backend is {@code name} at {@code hostPort} and which has no health check;
     * {@code listenerExtra} is further lines of YAML for the listener.
     */
    public static String httpListener(int port, String name, String hostPort, String listenerExtra) {
        return httpListener(port, name, hostPort, listenerExtra, "");
    }

    /** {@link #httpListener(int, String, String, String)} with {@code poolExtra}, further lines of YAML for the pool. */
    public static String httpListener(int port, String name, String hostPort, String listenerExtra, String poolExtra) {
        return """
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: p
                %s
                pools:
                  - name: p
                    health-check: none
                %s
                    backends:
                      - { name: %s, address: %s }
                """.formatted(port, listenerExtra.indent(4), poolExtra.indent(4), name, hostPort);
    }

    /** Problems as FILE:LINE:COL: message strings, for a config expected to be invalid. */
    public static java.util.List<String> errors(String yaml) {
        try {
            Problems p = new Problems();
            Section root = Section.of(YamlTree.parse("test.yaml", yaml), p, "the configuration").orElseThrow();
            EngineConfigReader.read(root, new org.dicomlb.config.Binds(), true);
            root.finish();
            return p.errors().stream().sorted().map(Object::toString).toList();
        } catch (ConfigException e) {
            return e.errors().stream().map(Object::toString).toList();
        }
    }
}

package org.dicomlb.cli.demo;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.ScpListener;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.engine.config.BackendConfig;
import org.dicomlb.engine.config.DicomRoute;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.config.BackendAddress;
import org.dicomlb.engine.config.DicomMode;
import org.dicomlb.io.EventLoops;

/**
 * The demo's simulated backends, one per configured backend address: a DICOM Verification and
 * Storage SCP for pools that dicom listeners use, a greeting echo server for the others.
 */
public final class DemoBackends {
    /** The AE title of a demo SCP whose backend has no {@code called-ae}: it then answers any called AE. */
    public static final String DEFAULT_AE = "DEMO";

    private DemoBackends() {
    }

    /**
     * Starts them all on {@code io}; a DICOM backend with {@code called-ae} insists on being
     * called by that title, so the demo shows the rewrite working. Received instances are
     * written under {@code storage/<backend>/}. On failure, what started is closed and the
     * exception propagates.
     */
    public static List<AutoCloseable> start(EngineConfig config, EventLoops.Group io, Path storage) {
        Set<String> dicomPools = dicomPools(config);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            for (PoolConfig p : config.pools()) {
                for (BackendConfig b : p.backends()) {
                    InetSocketAddress at = ((BackendAddress.Static) b.address()).address();
                    started.add(dicomPools.contains(p.name()) ? scp(b, at, io, storage) : BannerEchoServer.start(io, b.name(), at));
                }
            }
            return started;
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    private static SimulatedScp scp(BackendConfig b, InetSocketAddress at, EventLoops.Group io, Path storage) {
        ScpConfig c = ScpConfig.of(b.calledAe().orElse(AeTitle.of(DEFAULT_AE)))
                .withRequireCalledAe(b.calledAe().isPresent())
                .withStorageDirectory(storage.resolve(b.name()));
        return SimulatedScp.start(c, at, ScpListener.NONE, io.group(), io.transport().serverChannelClass());
    }

    private static Set<String> dicomPools(EngineConfig config) {
        Set<String> pools = new HashSet<>();
        for (ListenerConfig l : config.listeners()) {
            if (l.mode() instanceof DicomMode dicom) {
                if (l.pool() != null) {
                    pools.add(l.pool());
                }
                dicom.routes().stream().map(DicomRoute::pool).forEach(pools::add);
            }
        }
        return pools;
    }

    /** Closes each, carrying on past failures: the demo is shutting down. */
    public static void closeAll(List<AutoCloseable> cs) {
        for (AutoCloseable c : cs) {
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down; nothing useful to do with a failed close
            }
        }
    }
}

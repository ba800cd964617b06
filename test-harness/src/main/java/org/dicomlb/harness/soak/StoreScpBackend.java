package org.dicomlb.harness.soak;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.peers.Dcmtk;

/**
 * One DCMTK {@code storescp --fork} archive of the dicom pool, writing every instance it receives
 * to its own directory. {@link #kill} is a crash (SIGKILL to the listener and every association
 * child it forked); {@link #start} brings it back on the same port and directory. Its output goes
 * to one log file across restarts.
 */
final class StoreScpBackend {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final InetSocketAddress address;
    private final Path dir;
    private final Path log;
    private final Children children;
    private volatile Server server;

    StoreScpBackend(String name, InetSocketAddress address, Path dir, Path log, Children children) {
        this.name = name;
        this.address = address;
        this.dir = dir;
        this.log = log;
        this.children = children;
    }

    String name() {
        return name;
    }

    Path dir() {
        return dir;
    }

    /** Starts storescp and waits until it listens. */
    void start() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        // DCMTK 3.6.7 has no bind-address option: it listens on every address of its port, and
        // the soak reaches it at 127.0.0.1 only.
        server = children.start("storescp " + name, List.of(Dcmtk.storescp().toString(), "--fork",
                "-aet", SoakConfig.CALLED_AE, "-od", dir.toString(), Integer.toString(address.getPort())), Map.of(), log)
                .readyOn(address.getPort(), START_TIMEOUT);
    }

    /** SIGKILL to storescp and its association children; returns the listener's pid. */
    long kill() {
        Server s = server;
        s.kill();
        return s.pid();
    }

    boolean isAlive() {
        Server s = server;
        return s != null && s.isAlive();
    }

    void stop() {
        Server s = server;
        if (s != null) {
            s.close();
        }
    }
}

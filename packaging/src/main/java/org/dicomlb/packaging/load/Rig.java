package org.dicomlb.packaging.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.cli.demo.BannerEchoServer;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.ScpListener;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.io.EventLoops;
import org.dicomlb.testkit.Ports;

/**
 * Simulated backends on loopback for a dicomlb started as its own process: two DICOM SCPs
 * (Verification, any called AE) and two greeting echo servers, and the configuration that puts a
 * dicom and a tcp listener in front of them, each pool health-checked the way a site would
 * (C-ECHO probes for the archive, connect probes for the tcp pool). Every address is 127.0.0.1;
 * every port comes from {@link Ports} (below the ephemeral range).
 */
public final class Rig implements AutoCloseable {
    public static final String HOST = "127.0.0.1";

    private final EventLoops loops;
    private final List<AutoCloseable> backends;
    private final List<Integer> scpPorts;
    private final List<Integer> bannerPorts;

    private Rig(EventLoops loops, List<AutoCloseable> backends, List<Integer> scpPorts, List<Integer> bannerPorts) {
        this.loops = loops;
        this.backends = backends;
        this.scpPorts = scpPorts;
        this.bannerPorts = bannerPorts;
    }

    /** Starts the four backends on one event loop of their own. */
    public static Rig start() {
        EventLoops loops = EventLoops.create(true);
        EventLoops.Group io = loops.group("rig", 1);
        List<AutoCloseable> started = new ArrayList<>();
        List<Integer> scps = new ArrayList<>();
        List<Integer> banners = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) {
                int port = Ports.free(HOST);
                started.add(SimulatedScp.start(ScpConfig.of(AeTitle.of("ARCHIVE" + i)), new InetSocketAddress(HOST, port),
                        ScpListener.NONE, io.group(), io.transport().serverChannelClass()));
                scps.add(port);
                int bannerPort = Ports.free(HOST);
                started.add(BannerEchoServer.start(io, "web" + i, new InetSocketAddress(HOST, bannerPort)));
                banners.add(bannerPort);
            }
        } catch (RuntimeException e) {
            closeAll(started);
            loops.close();
            throw e;
        }
        return new Rig(loops, started, List.copyOf(scps), List.copyOf(banners));
    }

    /** The first simulated archive itself, for warming a load generator without dicomlb. */
    public InetSocketAddress firstArchive() {
        return new InetSocketAddress(HOST, scpPorts.get(0));
    }

    /** Where one dicomlb process listens: fresh ports for each start. */
    public record Listeners(int admin, int dicom, int tcp) {
        public static Listeners fresh() {
            return new Listeners(Ports.free(HOST), Ports.free(HOST), Ports.free(HOST));
        }

        public InetSocketAddress dicomAddress() {
            return new InetSocketAddress(HOST, dicom);
        }

        public InetSocketAddress tcpAddress() {
            return new InetSocketAddress(HOST, tcp);
        }

        public String adminUrl(String path) {
            return "http://" + HOST + ":" + admin + path;
        }
    }

    /** Writes a dicomlb configuration for {@code at} in front of this rig's backends. */
    public Path writeConfig(Path file, Listeners at) throws IOException {
        String yaml = """
                # Written by the packaging module's training and warm-start runs: loopback only.
                admin:
                  listen: %1$s:%2$d
                listeners:
                  - name: dicom
                    bind: %1$s:%3$d
                    mode: dicom
                    pool: archive
                    timeouts: { connect: 2s, associate: 10s, idle: 1m }
                  - name: tcp
                    bind: %1$s:%4$d
                    mode: tcp
                    pool: web
                    timeouts: { connect: 2s, idle: 1m }
                pools:
                  - name: archive
                    balance: leastconn
                    health-check: { type: dicom-echo, interval: 2s, timeout: 1s, fast-interval: 500ms, rise: 2, fall: 3, calling-ae: DICOMLB }
                    backends:
                      - { name: archive1, address: %1$s:%5$d }
                      - { name: archive2, address: %1$s:%6$d }
                  - name: web
                    balance: roundrobin
                    health-check: { type: tcp, interval: 2s, timeout: 1s, fast-interval: 500ms, rise: 2, fall: 3 }
                    backends:
                      - { name: web1, address: %1$s:%7$d }
                      - { name: web2, address: %1$s:%8$d }
                """.formatted(HOST, at.admin(), at.dicom(), at.tcp(), scpPorts.get(0), scpPorts.get(1),
                bannerPorts.get(0), bannerPorts.get(1));
        Files.writeString(file, yaml);
        return file;
    }

    @Override
    public void close() {
        closeAll(backends);
        loops.close();
    }

    private static void closeAll(List<AutoCloseable> cs) {
        for (AutoCloseable c : cs) {
            try {
                c.close();
            } catch (Exception e) {
                // Shutting down: the next one must still be closed.
            }
        }
    }
}

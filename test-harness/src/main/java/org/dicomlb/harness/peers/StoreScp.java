package org.dicomlb.harness.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * DCMTK's storescp as a peer. DCMTK 3.6.7 has no bind-address option and listens on all
 * addresses, so each instance gets a port of its own; tests only ever connect to it through
 * 127.0.0.1.
 *
 * @see Options
 */
public final class StoreScp implements AutoCloseable {
    /**
     * @param fork      {@code --fork}: one child per association; without it storescp serves one
     *                  association at a time
     * @param extraArgs further storescp options, e.g. {@code --refuse}
     */
    public record Options(String aeTitle, Path outputDirectory, boolean fork, List<String> extraArgs) {
        public Options {
            extraArgs = List.copyOf(extraArgs);
        }

        public static Options of(String aeTitle, Path outputDirectory) {
            return new Options(aeTitle, outputDirectory, false, List.of());
        }

        public Options forking() {
            return new Options(aeTitle, outputDirectory, true, extraArgs);
        }

        public Options with(String... args) {
            List<String> all = new ArrayList<>(extraArgs);
            all.addAll(List.of(args));
            return new Options(aeTitle, outputDirectory, fork, all);
        }
    }

    private final Options options;
    private final PeerProcess process;

    private StoreScp(Options options, PeerProcess process) {
        this.options = options;
        this.process = process;
    }

    public static StoreScp start(Options options) {
        return new StoreScp(options, PeerProcess.startListening("storescp", options.outputDirectory(),
                port -> command(options, port), Duration.ofSeconds(10)));
    }

    /** Starts on a given port, e.g. to bring a killed storescp back where its pool expects it. */
    public static StoreScp startOn(Options options, int port) {
        return new StoreScp(options, PeerProcess.startListeningOn("storescp", options.outputDirectory(),
                command(options, port), port, Duration.ofSeconds(10)));
    }

    private static List<String> command(Options options, int port) {
        List<String> cmd = new ArrayList<>(List.of(Dcmtk.storescp().toString(), "-aet", options.aeTitle(), "-od",
                options.outputDirectory().toString()));
        if (options.fork()) {
            cmd.add("--fork");
        }
        cmd.addAll(options.extraArgs());
        cmd.add(Integer.toString(port));
        return cmd;
    }

    /** Where to reach it: always the loopback address. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), process.port());
    }

    public int port() {
        return process.port();
    }

    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}

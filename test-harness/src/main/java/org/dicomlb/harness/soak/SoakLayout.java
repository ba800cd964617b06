package org.dicomlb.harness.soak;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.dicomlb.testkit.Ports;

/**
 * Where everything of one soak listens, all on loopback: dicomlb's admin, dicom and tcp listeners
 * on 127.0.0.1; the two storescp backends (DCMTK 3.6.7 listens on every address of its port, so
 * each has a port of its own and is reached at 127.0.0.1); the two in-process echo backends on
 * 127.0.0.1 too. Ports come from lb-testkit's allocator (below the ephemeral range), so no
 * outgoing connection of the busy machine can take one before its server binds it.
 */
public record SoakLayout(InetSocketAddress admin, InetSocketAddress dicom, InetSocketAddress tcp,
                         List<InetSocketAddress> storescps, List<InetSocketAddress> echoBackends) {
    static final String HOST = "127.0.0.1";

    public SoakLayout {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(dicom, "dicom");
        Objects.requireNonNull(tcp, "tcp");
        storescps = List.copyOf(storescps);
        echoBackends = List.copyOf(echoBackends);
        if (storescps.size() != 2 || echoBackends.size() != 2) {
            throw new IllegalArgumentException("a soak has two storescp and two echo backends");
        }
    }

    public static SoakLayout pick() {
        return new SoakLayout(free(), free(), free(), List.of(free(), free()), List.of(free(), free()));
    }

    private static InetSocketAddress free() {
        return new InetSocketAddress(HOST, Ports.free(HOST));
    }
}

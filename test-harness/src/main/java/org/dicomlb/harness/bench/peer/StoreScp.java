package org.dicomlb.harness.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.process.Server;

/**
 * DCMTK {@code storescp}: the DICOM backend (C-STORE and C-ECHO). {@code --fork} serves
 * associations concurrently; {@code --ignore} receives every byte but writes nothing, so the
 * disk is not what is measured. DCMTK 3.6.7 has no bind-address option: it listens on all
 * addresses of its port, and the harness only connects to it on a loopback address.
 */
public final class StoreScp {
    public static final String AE_TITLE = "BENCH_SCP";

    private StoreScp() {
    }

    public static Server start(BenchContext ctx, String scenario, InetSocketAddress listen) throws IOException, InterruptedException {
        Path dir = ctx.scratch(scenario).resolve("storescp");
        Files.createDirectories(dir);
        return ctx.children().start("storescp", List.of("storescp", "--fork", "--ignore", "-aet", AE_TITLE,
                "-od", dir.toString(), Integer.toString(listen.getPort())), Map.of(), ctx.logs().resolve(scenario + "-storescp.log"))
                .readyOn(listen.getPort(), Duration.ofSeconds(15));
    }
}

package org.dicomlb.harness.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.process.Server;

/** {@code iperf3 -s} bound to one backend address: the sink of the L4 bulk-throughput scenarios. */
public final class Iperf3Server {
    private Iperf3Server() {
    }

    public static Server start(BenchContext ctx, String scenario, InetSocketAddress listen) throws IOException, InterruptedException {
        return ctx.children().start("iperf3", List.of("iperf3", "-s", "-B", listen.getAddress().getHostAddress(),
                "-p", Integer.toString(listen.getPort())), Map.of(), ctx.logs().resolve(scenario + "-iperf3.log"))
                .readyOn(listen.getPort(), Duration.ofSeconds(15));
    }
}

package org.dicomlb.healthcheck.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.CheckTarget;
import org.dicomlb.healthcheck.Configs;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.HealthEvent;
import org.dicomlb.healthcheck.HealthState;
import org.dicomlb.healthcheck.Quiet;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tcp check against a real loopback server that goes away and comes back, with the checker's
 * production threads and clock: the one test here that runs on real time, with short intervals
 * and generous waits, asserting only the order of what happens.
 */
class TcpCheckTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static EventLoopGroup servers;

    @BeforeAll
    static void start() {
        servers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        servers.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    static Channel listen(int port) throws InterruptedException {
        return new ServerBootstrap().group(servers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(Quiet.INSTANCE)
                .bind("127.0.0.1", port).sync().channel();
    }

    @Test
    void statusFollowsAServerThatClosesAndReopens() throws Exception {
        Channel server = listen(0);
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        HealthCheckConfig config = Configs.read("""
                { type: tcp, interval: 200ms, fast-interval: 100ms, down-interval: 200ms, timeout: 150ms,
                  rise: 2, fall: 2, spread: 0% }
                """);
        LinkedBlockingQueue<HealthEvent> events = new LinkedBlockingQueue<>();
        try (HealthChecker checker = HealthChecker.builder().build()) {
            checker.subscribe(events::add);
            checker.update("test", List.of(new CheckTarget("p/b", new InetSocketAddress("127.0.0.1", port), config)))
                    .get(5, TimeUnit.SECONDS);

            assertThat(next(events)).isEqualTo("STARTING->UP first check passed: connected");
            server.close().sync();
            assertThat(next(events)).isEqualTo("UP->DOWN 2 consecutive failures, last: connect refused");
            server = listen(port);
            assertThat(next(events)).isEqualTo("DOWN->UP 2 consecutive successes, last: connected");

            HealthState s = checker.state("p/b").orElseThrow();
            assertThat(s.lastFailureReason()).contains("connect refused");
            assertThat(s.checks()).isGreaterThanOrEqualTo(5);
            assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("no flapping").isNull();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aProbeSaysWhatHappened() throws Exception {
        ProbeTransport transport = ProbeTransport.create(1, "test-tcp");
        // A plain ServerSocket: its close() releases the port at once, whereas a NIO server socket
        // registered with a selector keeps listening until the selector's next pass.
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        try {
            InetSocketAddress open = (InetSocketAddress) server.getLocalSocketAddress();
            TcpCheck check = new TcpCheck(transport);
            assertThat(check.probe(open, Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS))
                    .isEqualTo(CheckResult.success("connected"));
            server.close();
            assertThat(check.probe(open, Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS))
                    .isEqualTo(CheckResult.failure("connect refused"));
        } finally {
            server.close();
            transport.group().shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    private static String next(LinkedBlockingQueue<HealthEvent> events) throws InterruptedException {
        HealthEvent e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e).as("an event within " + WAIT).isNotNull();
        return e.from() + "->" + e.to() + " " + e.reason();
    }

}

package org.dicomlb.engine.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.dicomlb.engine.config.Balance;
import org.dicomlb.engine.config.BackendConfig;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.config.QueueConfig;
import org.dicomlb.engine.config.Timeouts;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.testing.Pools;
import org.junit.jupiter.api.Test;

/** The per-connection bookkeeping, driven on embedded channels. */
class ProxyConnectionTest {
    private final EngineMetrics metrics = new EngineMetrics(new SimpleMeterRegistry());
    private final Pool pool = Pools.live(new PoolConfig("p", Balance.ROUNDROBIN, 3, QueueConfig.NONE,
            List.of(new BackendConfig("b", new InetSocketAddress("127.0.0.11", 104), 1, false, 0))));
    private final ListenerConfig config = ListenerConfig.tcp("l", new InetSocketAddress("127.0.0.1", 104),
            "p", 10, new Timeouts(Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ofSeconds(1)));
    private int closed;

    private final ListenerContext listener = new ListenerContext() {
        @Override
        public ListenerConfig config() {
            return config;
        }

        @Override
        public Pool pool(String name) {
            return pool;
        }

        @Override
        public EngineMetrics metrics() {
            return metrics;
        }

        @Override
        public EngineMetrics.ListenerMeters meters() {
            return metrics.listener("l");
        }

        @Override
        public EndpointObserver observer() {
            return EndpointObserver.NONE;
        }

        @Override
        public ProxyConnection open(io.netty.channel.Channel client) {
            return new ProxyConnection(1, client, this, (connection, admitted) -> {
                if (admitted) {
                    closed++;
                }
            }, AccessLog.toLogger());
        }

        @Override
        public void admit(ProxyConnection connection, Runnable start) {
            connection.admitted();
            start.run();
        }
    };

    @Test
    void anEndedConnectionLeavesNoTimerBehindAndReleasesItsSlotOnce() {
        EmbeddedChannel client = new EmbeddedChannel() {
            @Override
            protected java.net.SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 40000);
            }
        };
        client.config().setAutoRead(false);
        EmbeddedChannel backend = new EmbeddedChannel();
        backend.config().setAutoRead(false);
        ProxyConnection c = listener.open(client);
        listener.admit(c, () -> { });
        Endpoint e = pool.pick(null, java.util.Set.of()).endpoint();
        c.backendConnected(backend, e);
        c.startRelay();
        assertThat(client.runScheduledPendingTasks()).as("idle timer armed").isPositive();

        client.writeInbound(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
        ByteBuf relayed = backend.readOutbound();
        assertThat(relayed.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        relayed.release();

        client.close();
        backend.close();
        // A 10-minute idle timer left armed would keep every ended connection reachable for 10 minutes.
        assertThat(client.runScheduledPendingTasks()).isEqualTo(-1);
        assertThat(e.active()).isZero();
        assertThat(closed).isEqualTo(1);
        assertThat(c.record().bytesIn()).isEqualTo(5);
        assertThat(metrics.registry().get("dicomlb.listener.bytes").tag("direction", "in").counter().count()).isEqualTo(5);
    }
}

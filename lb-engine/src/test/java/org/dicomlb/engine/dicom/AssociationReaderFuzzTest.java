package org.dicomlb.engine.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.EndpointHealth;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.EndpointObserver;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.Pools;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of a dicom listener's request reader (the frontend before any backend:
 * one bounded PDU, the A-ASSOCIATE-RQ decode, the allow list and routes), fed what a client
 * could send on a new connection. Whatever arrives, the client gets nothing yet (more is
 * awaited), or exactly one A-ABORT or A-ASSOCIATE-RJ and a close; no exception leaves the
 * pipeline. The pools have no eligible backend, so a valid request ends in RJ transient without
 * a connect.
 *
 * <p>Seeds: {@code src/test/resources/org/dicomlb/engine/dicom/AssociationReaderFuzzTestInputs/read/}.
 * See docs/development.md#fuzzing.
 */
class AssociationReaderFuzzTest {
    private static final int MAX_INPUT = 64 * 1024;
    private static final EngineConfig CONFIG = Configs.engine("""
            listeners:
              - name: dicom
                bind: 127.0.0.1:10104
                mode: dicom
                pool: p
                allowed-calling-aes: ["MOD*", CT01]
                max-associate-rq: 16384
                routes:
                  - { called-ae: "QR_*", pool: qr }
                  - { sop-class: 1.2.840.10008.5.1.4.1.1.7, calling-ae: CT01, pool: qr }
            pools:
              - name: p
                backends: [{ name: a, address: 127.0.0.11:104, called-ae: ARCHIVE1 }]
              - name: qr
                backends: [{ name: q, address: 127.0.0.12:104 }]
            """);

    /** The listener of one fuzzed connection: admits at once; every endpoint down. */
    private static final class Listener implements ListenerContext {
        final EngineMetrics metrics = new EngineMetrics(new SimpleMeterRegistry());
        final Map<String, Pool> pools = new HashMap<>();
        final ListenerConfig config = CONFIG.listeners().getFirst();

        Listener() {
            for (var pc : CONFIG.pools()) {
                Pool p = Pools.live(pc);
                for (Endpoint e : p.endpoints()) {
                    p.setHealth(e, new EndpointHealth(EndpointHealth.State.DOWN, "fuzz"));
                }
                p.republish();
                pools.put(pc.name(), p);
            }
        }

        @Override
        public ListenerConfig config() {
            return config;
        }

        @Override
        public Pool pool(String name) {
            return pools.get(name);
        }

        @Override
        public EngineMetrics metrics() {
            return metrics;
        }

        @Override
        public EngineMetrics.ListenerMeters meters() {
            return metrics.listener(config.name());
        }

        @Override
        public EndpointObserver observer() {
            return EndpointObserver.NONE;
        }

        @Override
        public ProxyConnection open(Channel client) {
            return new ProxyConnection(1, client, this, (c, admitted) -> { }, record -> { });
        }

        @Override
        public void admit(ProxyConnection connection, Runnable start) {
            connection.admitted();
            start.run();
        }
    }

    private static final Listener LISTENER = new Listener();
    private static final DicomMetrics METRICS = new DicomMetrics(LISTENER.metrics);

    // The timeout becomes libFuzzer's budget per input (JUnit's own is off in the fuzz run).
    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void read(byte[] data) throws Exception {
        if (data.length > MAX_INPUT) {
            return;
        }
        EmbeddedChannel ch = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 40000);
            }
        };
        ch.config().setAutoRead(false);
        ch.pipeline().addLast("frontend", new DicomFrontend(LISTENER, METRICS));
        ch.register();
        // As the network would deliver it: in a few pieces.
        int third = Math.max(1, data.length / 3);
        for (int at = 0; at < data.length && ch.isOpen(); at += third) {
            ch.writeInbound(Unpooled.wrappedBuffer(data, at, Math.min(third, data.length - at)));
            ch.runPendingTasks();
        }
        byte[] out = Pdus.drain(ch.outboundMessages());
        if (out.length > 0) {
            int type = out[0] & 0xff;
            assertThat(type).as("only an A-ABORT (7) or A-ASSOCIATE-RJ (3) goes back").isIn(3, 7);
            assertThat(out).as("exactly one PDU").hasSize(10);
            assertThat(ch.isOpen()).as("closed after answering").isFalse();
        }
        ch.checkException();
        ch.finishAndReleaseAll();
    }
}

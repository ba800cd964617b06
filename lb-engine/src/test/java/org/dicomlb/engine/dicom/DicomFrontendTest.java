package org.dicomlb.engine.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.AbortSource;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.Pdv;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.EndpointHealth;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.EndpointObserver;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.Pools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The frontend's decisions before any backend is involved, driven in an EmbeddedChannel: what
 * a client gets back (A-ABORT, A-ASSOCIATE-RJ or a silent close) for each kind of first input.
 */
class DicomFrontendTest {
    private static final String CONFIG = """
            listeners:
              - name: dicom
                bind: 127.0.0.1:10104
                mode: dicom
                pool: p
                allowed-calling-aes: ["MOD*"]
                routes:
                  - { called-ae: NOWHERE, pool: gone }
                timeouts: { associate: 2s }
            pools:
              - name: p
                backends: [{ name: a, address: 127.0.0.11:104 }]
              - name: gone
                backends: [{ name: g, address: 127.0.0.12:104 }]
            """;

    private final LogCapture log = LogCapture.accessLog();
    private final FakeListener listener = new FakeListener(Configs.engine(CONFIG));
    private EmbeddedChannel channel;

    @AfterEach
    void tearDown() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        log.close();
    }

    private EmbeddedChannel connect() throws Exception {
        channel = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 40000);
            }
        };
        channel.config().setAutoRead(false);
        channel.pipeline().addLast("frontend", new DicomFrontend(listener, new DicomMetrics(listener.metrics)));
        channel.register();
        return channel;
    }

    private void send(byte[]... parts) {
        for (byte[] p : parts) {
            channel.writeInbound(Unpooled.wrappedBuffer(p));
        }
        channel.runPendingTasks();
    }

    /** Everything written to the client, concatenated. */
    private byte[] written() {
        return Pdus.drain(channel.outboundMessages());
    }

    private String line() {
        assertThat(log.lines()).hasSize(1);
        return log.lines().getFirst();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void bytesThatAreNoPduGetAnAbortUnrecognizedPdu() throws Exception {
        connect();
        send("GET / HTTP/1.1\r\n\r\n".getBytes());
        assertThat(Pdus.decode(written())).isEqualTo(Abort.byProvider(AbortReason.UNRECOGNIZED_PDU));
        assertThat(channel.isOpen()).isFalse();
        assertThat(line()).contains(" result=aborted reject=- abort=2-1 by=dicomlb ", " end=protocol");
    }

    @Test
    void anAcAsFirstPduGetsAnAbortUnexpectedPdu() throws Exception {
        connect();
        send(Pdus.acFor(Pdus.rq("ARCHIVE", "MOD1")));
        assertThat(Pdus.decode(written())).isEqualTo(Abort.byProvider(AbortReason.UNEXPECTED_PDU));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anAbsurdLengthIsRefusedAtTheHeaderWithoutWaitingForTheBody() throws Exception {
        connect();
        send(new byte[] {0x01, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertThat(Pdus.decode(written())).isEqualTo(Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestWithBrokenItemsGetsTheCodecsAbortReason() throws Exception {
        connect();
        byte[] rq = Pdus.rq("ARCHIVE", "MOD1");
        rq[74] = 0x77; // the application context item's type: not defined by PS3.8
        send(rq);
        assertThat(Pdus.decode(written())).isEqualTo(Abort.byProvider(AbortReason.UNRECOGNIZED_PDU_PARAMETER));
    }

    @Test
    void anAbortAsFirstPduClosesWithoutAnswer() throws Exception {
        connect();
        send(PduCodec.encodeToArray(Abort.BY_SERVICE_USER));
        assertThat(written()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(line()).contains(" result=aborted reject=- abort=0-0 by=client ", " end=client_aborted");
    }

    @Test
    void aRequestThatNeverCompletesIsClosedWhenTheAssociateTimerExpires() throws Exception {
        connect();
        byte[] rq = Pdus.rq("ARCHIVE", "MOD1");
        send(java.util.Arrays.copyOf(rq, 40));
        channel.advanceTimeBy(1900, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        assertThat(written()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(line()).contains(" calling_ae=- ", " result=timeout ", " end=protocol");
    }

    @Test
    void aConnectionStillParkedWhenTheTimerExpiresIsToldTheLocalLimitIsExceeded() throws Exception {
        listener.admitting = false;
        connect();
        channel.advanceTimeBy(2100, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        assertThat(Pdus.decode(written())).isEqualTo(AssociateRj.of(RejectResult.TRANSIENT, RejectReason.LOCAL_LIMIT_EXCEEDED));
        assertThat(line()).contains(" result=rejected reject=2-3-2 abort=- by=dicomlb ", " end=max_connections");
    }

    @Test
    void aCallingAeOutsideTheAllowListIsRejectedPermanently() throws Exception {
        connect();
        byte[] rq = Pdus.rq("ARCHIVE", "CT01");
        // Slow drip: the frontend must assemble the request from many reads.
        for (int i = 0; i < rq.length; i += 7) {
            send(java.util.Arrays.copyOfRange(rq, i, Math.min(rq.length, i + 7)));
        }
        assertThat(Pdus.decode(written())).isEqualTo(AssociateRj.of(RejectResult.PERMANENT,
                RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED));
        assertThat(line()).contains(" calling_ae=CT01 called_ae=ARCHIVE ", " reject=1-1-3 ");
    }

    @Test
    void aRouteToAPoolThatNoLongerExistsIsATransientReject() throws Exception {
        listener.pools.remove("gone");
        connect();
        send(Pdus.rq("NOWHERE", "MOD1"));
        assertThat(Pdus.decode(written())).isEqualTo(AssociateRj.of(RejectResult.TRANSIENT, RejectReason.TEMPORARY_CONGESTION));
        assertThat(line()).contains(" pool=gone ", " route=1 ", " reject=2-3-1 ", " end=no_backend");
    }

    @Test
    void aPoolWithoutEligibleBackendsIsATransientReject() throws Exception {
        Pool p = listener.pools.get("p");
        for (Endpoint e : p.endpoints()) {
            p.setHealth(e, new EndpointHealth(EndpointHealth.State.DOWN, "test"));
        }
        p.republish();
        connect();
        send(Pdus.rq("ARCHIVE", "MOD1", "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.1.1"));
        assertThat(Pdus.decode(written())).isEqualTo(AssociateRj.of(RejectResult.TRANSIENT, RejectReason.TEMPORARY_CONGESTION));
        assertThat(line()).contains(" pool=p backend=- ", " route=default result=rejected reject=2-3-1 ",
                " contexts_proposed=2 contexts_accepted=- ", " end=no_backend");
        assertThat(listener.registry.get("dicomlb.association.rejects").tag("reason", "temporary_congestion")
                .counter().count()).isEqualTo(1.0);
        assertThat(listener.registry.get("dicomlb.associations").tag("result", "rejected").tag("pool", "p")
                .tag("backend", "none").counter().count()).isEqualTo(1.0);
    }

    @Test
    void dataSentBeforeTheAcGetsAnAbortUnexpectedPdu() throws Exception {
        connect();
        byte[] pdata = PduCodec.encodeToArray(PDataTf.of(new Pdv(1, true, true,
                new org.dicomlb.dicom.pdu.Bytes(new byte[] {1, 2, 3}))));
        send(concat(Pdus.rq("ARCHIVE", "MOD1"), pdata));
        assertThat(Pdus.decode(written())).isEqualTo(Abort.byProvider(AbortReason.UNEXPECTED_PDU));
    }

    @Test
    void anAbortRightAfterTheRequestClosesWithoutAnswer() throws Exception {
        connect();
        send(concat(Pdus.rq("ARCHIVE", "MOD1"), PduCodec.encodeToArray(new Abort(AbortSource.SERVICE_USER,
                AbortReason.NOT_SPECIFIED))));
        assertThat(written()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(line()).contains(" result=aborted ", " by=client ");
    }

    @Test
    void aClientThatHalfClosesBeforeItsRequestIsCompleteIsClosed() throws Exception {
        connect();
        send(java.util.Arrays.copyOf(Pdus.rq("ARCHIVE", "MOD1"), 20));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        channel.runPendingTasks();
        assertThat(written()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(line()).contains(" result=closed ", " end=client_aborted");
    }

    /** A listener context over real pools, admitting at once unless told otherwise. */
    private static final class FakeListener implements ListenerContext {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final EngineMetrics metrics = new EngineMetrics(registry);
        final Map<String, Pool> pools = new HashMap<>();
        final ListenerConfig config;
        boolean admitting = true;

        FakeListener(EngineConfig c) {
            this.config = c.listeners().getFirst();
            c.pools().forEach(p -> pools.put(p.name(), Pools.live(p)));
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
        public ProxyConnection open(io.netty.channel.Channel client) {
            return new ProxyConnection(1, client, this, (c, admitted) -> { }, AccessLog.toLogger());
        }

        @Override
        public void admit(ProxyConnection connection, Runnable start) {
            if (admitting) {
                connection.admitted();
                start.run();
            }
        }
    }
}

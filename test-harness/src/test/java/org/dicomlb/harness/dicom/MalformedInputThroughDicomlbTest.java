package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.echo.EchoRequest;
import org.dicomlb.dicom.echo.EchoResult;
import org.dicomlb.dicom.echo.StandaloneEchoScu;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.Bytes;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.Pdv;
import org.dicomlb.dicom.pdu.PresentationContextAc;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.UserInformation;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.engine.relay.RelayOptions;
import org.dicomlb.engine.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A corpus of bad first input against a dicom listener over real sockets. Each connection must
 * get an A-ABORT or a close within the associate timeout, none may reach the backend, no
 * exception may escape a Netty pipeline or leak a buffer, memory stays bounded, and the
 * listener keeps serving good associations afterwards.
 */
class MalformedInputThroughDicomlbTest {
    private static final Duration ASSOCIATE = Duration.ofSeconds(1);
    /** The associate timeout plus scheduling slack on a busy two-core machine. */
    private static final Duration DEADLINE = ASSOCIATE.plusSeconds(3);

    /** Clients and their writers run on virtual threads: the common pool may have one thread here. */
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private LogCapture nettyWarnings;
    private ResourceLeakDetector.Level leakLevel;
    private SimulatedScp backend;
    private DicomlbUnderTest lb;

    @BeforeEach
    void start() throws Exception {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        nettyWarnings = new LogCapture("io.netty", Level.WARN);
        backend = SimulatedScp.start(ScpConfig.of(AeTitle.of("ARCHIVE")), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, """
                pool: archive
                timeouts: { associate: 1s }""", """
                - name: archive
                  backends: [{ name: a, address: 127.0.0.1:%d }]""".formatted(backend.localAddress().getPort())));
    }

    @AfterEach
    void stop() {
        if (lb != null) {
            lb.close();
        }
        backend.close();
        threads.shutdownNow();
        nettyWarnings.close();
        ResourceLeakDetector.setLevel(leakLevel);
    }

    /** What one bad client saw: the octets it received and how long until the connection ended. */
    private record Seen(byte[] received, Duration closedAfter) {
        Seen {
            received = received.clone();
        }
    }

    /**
     * Connects, writes {@code parts} with {@code pause} between them (on another thread, since
     * dicomlb may close while we are still writing), and reads until the connection ends.
     */
    private Seen send(Duration pause, byte[]... parts) throws Exception {
        try (Socket s = new Socket("127.0.0.1", lb.port)) {
            s.setSoTimeout((int) DEADLINE.toMillis());
            long t0 = System.nanoTime();
            OutputStream out = s.getOutputStream();
            Future<?> writer = threads.submit(() -> {
                try {
                    for (byte[] p : parts) {
                        out.write(p);
                        out.flush();
                        Thread.sleep(pause.toMillis());
                    }
                } catch (IOException | InterruptedException closedOnUs) {
                    // dicomlb gave up on this client before it finished: that is the point
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("dicomlb neither aborted nor closed within " + DEADLINE, e);
            } catch (IOException reset) {
                // A reset is a close too (we may still have been writing when dicomlb closed).
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            s.close();
            writer.get();
            return new Seen(got.toByteArray(), took);
        }
    }

    private Seen send(byte[]... parts) throws Exception {
        return send(Duration.ZERO, parts);
    }

    private static byte[] abort(AbortReason reason) {
        return PduCodec.encodeToArray(Abort.byProvider(reason));
    }

    private static byte[] rq() {
        return PduCodec.encodeToArray(AssociateRq.of(AeTitle.of("ARCHIVE"), AeTitle.of("MODALITY1"),
                List.of(PresentationContextRq.of(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN)),
                UserInformation.dicomlb(16_384)));
    }

    private static byte[] header(int type, long length) {
        return ByteBuffer.allocate(6).put((byte) type).put((byte) 0).putInt((int) length).array();
    }

    /** Either the A-ABORT we expect, or nothing (a reset may overtake it while we were still writing). */
    private static void abortedOrClosed(Seen seen, byte[] abort) {
        assertThat(seen.closedAfter()).isLessThan(DEADLINE);
        if (seen.received().length > 0) {
            assertThat(seen.received()).isEqualTo(abort);
        }
    }

    @Test
    void everyBadFirstInputIsAbortedOrClosedInTime() throws Exception {
        byte[] rq = rq();
        assertThat(send("GET / HTTP/1.1\r\nHost: pacs\r\n\r\n".getBytes()).received())
                .as("garbage").isEqualTo(abort(AbortReason.UNRECOGNIZED_PDU));
        assertThat(send(header(0x08, 4), new byte[4]).received())
                .as("PDU type 0x08").isEqualTo(abort(AbortReason.UNRECOGNIZED_PDU));
        assertThat(send(header(0x01, 0xFFFFFFFFL)).received())
                .as("absurd length").isEqualTo(abort(AbortReason.INVALID_PDU_PARAMETER_VALUE));
        assertThat(send(header(0x01, 0)).received())
                .as("empty A-ASSOCIATE-RQ").isEqualTo(abort(AbortReason.INVALID_PDU_PARAMETER_VALUE));
        AssociateRq request = (AssociateRq) PduCodec.decode(rq);
        byte[] ac = PduCodec.encodeToArray(AssociateAc.answering(request,
                List.of(PresentationContextAc.accept(1, Uids.IMPLICIT_VR_LITTLE_ENDIAN)), UserInformation.dicomlb(0)));
        assertThat(send(ac).received()).as("AC as first PDU").isEqualTo(abort(AbortReason.UNEXPECTED_PDU));
        byte[] overrun = rq.clone();
        overrun[74 + 3] = (byte) 0xff; // the application context item claims more octets than the PDU has
        assertThat(send(overrun).received()).as("item overrunning its PDU")
                .isEqualTo(abort(AbortReason.INVALID_PDU_PARAMETER_VALUE));
        byte[] pdata = PduCodec.encodeToArray(PDataTf.of(new Pdv(1, true, true, Bytes.of((byte) 1, (byte) 2, (byte) 3))));
        // One write, so that both PDUs arrive before dicomlb has decided anything.
        byte[] rqAndData = Arrays.copyOf(rq, rq.length + pdata.length);
        System.arraycopy(pdata, 0, rqAndData, rq.length, pdata.length);
        assertThat(send(rqAndData).received()).as("P-DATA before the AC").isEqualTo(abort(AbortReason.UNEXPECTED_PDU));

        // 1 MB of items: refused at the header, long before the megabyte could be buffered.
        byte[] items = new byte[1 << 20];
        for (int i = 0; i + 4 <= items.length; i += 4) {
            items[i] = 0x40;
            items[i + 3] = 0;
        }
        byte[] fixed = Arrays.copyOfRange(rq, 6, 74);
        abortedOrClosed(send(header(0x01, fixed.length + items.length), fixed, items),
                abort(AbortReason.INVALID_PDU_PARAMETER_VALUE));

        Seen truncated = send(Arrays.copyOf(rq, 40));
        assertThat(truncated.received()).as("truncated RQ gets no answer").isEmpty();
        assertThat(truncated.closedAfter()).as("truncated RQ closed by the associate timer")
                .isBetween(ASSOCIATE.minusMillis(100), DEADLINE);

        List<byte[]> drip = new ArrayList<>();
        for (byte b : rq) {
            drip.add(new byte[] {b});
        }
        Seen slow = send(Duration.ofMillis(50), drip.toArray(byte[][]::new));
        assertThat(slow.received()).as("slow drip gets no answer").isEmpty();
        assertThat(slow.closedAfter()).as("slow drip closed by the associate timer, not by its pace")
                .isBetween(ASSOCIATE.minusMillis(100), DEADLINE);

        assertThat(backend.stats().associations()).as("nothing bad reached the backend").isZero();
        try (StandaloneEchoScu scu = StandaloneEchoScu.create()) {
            EchoResult r = scu.echo(new EchoRequest(AeTitle.of("MODALITY1"), AeTitle.of("ARCHIVE"),
                    new InetSocketAddress("127.0.0.1", lb.port), Duration.ofSeconds(10))).join();
            assertThat(r).as("the listener still serves good associations").isInstanceOf(EchoResult.Success.class);
        }
        assertNoPipelineEscapesOrLeaks();
    }

    /** Forty half-sent requests at once hold at most max-associate-rq each, and all are closed in time. */
    @Test
    void manyStalledRequestsKeepMemoryBounded() throws Exception {
        ByteBufAllocatorMetricProvider allocator = (ByteBufAllocatorMetricProvider) RelayOptions.BUFFERS;
        long before = used(allocator);
        byte[] body = new byte[60_000];
        List<Future<Seen>> clients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            clients.add(threads.submit(() -> send(header(0x01, 65_000), body)));
        }
        long peak = before;
        long until = System.nanoTime() + ASSOCIATE.toNanos();
        while (System.nanoTime() < until) {
            peak = Math.max(peak, used(allocator));
            Thread.sleep(20);
        }
        for (Future<Seen> c : clients) {
            Seen seen = c.get();
            assertThat(seen.received()).isEmpty();
            assertThat(seen.closedAfter()).isLessThan(DEADLINE);
        }
        // 40 x 64 KiB held by the frame decoders is 2.5 MiB; allow for a 4 MiB chunk of the pooled
        // allocator on each event loop's arena. A decoder reserving a whole maximum-length PDU (or
        // even 1 MiB) per request would pass 40 MiB.
        assertThat(peak - before).as("buffer memory grown while 40 requests stalled").isLessThan(16L << 20);
        assertNoPipelineEscapesOrLeaks();
    }

    /** Memory the relay's allocator holds: whole chunks for a pooled one, so only growth past them shows. */
    private static long used(ByteBufAllocatorMetricProvider a) {
        return a.metric().usedDirectMemory() + a.metric().usedHeapMemory();
    }

    private void assertNoPipelineEscapesOrLeaks() throws Exception {
        // Leaks are reported when a leaked buffer is collected and the next buffer is tracked.
        for (int i = 0; i < 3; i++) {
            System.gc();
            ByteBufAllocator.DEFAULT.buffer(1).release();
            Thread.sleep(50);
        }
        List<String> warnings = nettyWarnings.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
        assertThat(warnings).as("exceptions that reached a pipeline's tail, or leaked buffers").isEmpty();
    }
}

package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp2;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The known HTTP/2 denial-of-service patterns, sent by hand over TLS, and what a client doing
 * them gets (docs/security.md, "HTTP/2 abuse"): rapid reset, CONTINUATION floods, empty DATA
 * frames, control frames whose answers the client does not read, more streams than
 * SETTINGS_MAX_CONCURRENT_STREAMS, and an HPACK block that decompresses beyond max-header-size.
 * Each flood is bounded in frames, and a connection that is not closed fails on its read timeout.
 */
class Http2AbuseTest {
    private static final String CONNECTION_ERRORS = "dicomlb_http2_connection_errors_total{error=\"%s\",listener=\"web\"}";

    @TempDir
    Path dir;
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private TestPki pki;
    private HttpTestBackend b;

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.create(dir, "web");
        TestPki.Issued cert = pki.server("web", TestPki.Names.cn("viewer.test").dns("viewer.test").ip("127.0.0.1"));
        b = HttpTestBackend.start("b1", "127.0.0.11");
        fx.start(Configs.httpsListener(fx.listenPort, cert.chain(), cert.key(), b, "", ""));
    }

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        b.close();
    }

    private RawHttp2 open() throws IOException {
        return RawHttp2.open(pki.trustingContext(), fx.listenPort);
    }

    /**
     * Frames read on a virtual thread while the test writes, until the connection ends (or stays
     * silent for the socket's read timeout), at most 10,000.
     */
    private static CompletableFuture<List<RawHttp2.Frame>> reader(RawHttp2 h2) {
        CompletableFuture<List<RawHttp2.Frame>> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            List<RawHttp2.Frame> frames = new ArrayList<>();
            try {
                for (int i = 0; i < 10_000; i++) {
                    frames.add(h2.read());
                }
            } catch (IOException | RuntimeException ended) {
                // the connection ended (or went silent): what came is what the client got
            }
            done.complete(frames);
        });
        return done;
    }

    private static RawHttp2.Frame goAway(List<RawHttp2.Frame> frames) {
        return frames.stream().filter(f -> f.type() == RawHttp2.GOAWAY).findFirst()
                .orElseThrow(() -> new AssertionError("no GOAWAY among " + frames.size() + " frames"));
    }

    /** The connection's own access-log line, which it has when dicomlb ended it with an error code. */
    private String connectionLine() {
        Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains(" h2_error=")), Duration.ofSeconds(10),
                access::lines);
        return access.lines().stream().filter(l -> l.contains(" h2_error=")).findFirst().orElseThrow();
    }

    /** A new connection from the same client is served while (or after) one connection misbehaved. */
    private void othersAreServed() throws Exception {
        HttpClient c = HttpClient.newBuilder().sslContext(pki.trustingContext()).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + fx.listenPort + "/name"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.body()).isEqualTo("b1");
    }

    /**
     * CVE-2023-44487: 1,000 HEADERS+RST_STREAM pairs in one burst. The connection gets GOAWAY
     * ENHANCE_YOUR_CALM at the 201st reset (200 per 30 seconds are allowed: a viewer cancels
     * prefetches), the backend hears at most those 201 requests, the access log has a line for
     * each and one for the connection, and no request's buffer leaks (a request reset before a
     * backend took it used to keep its pooled buffer for ever).
     */
    @Test
    void rapidResetEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try (LogCapture leaks = new LogCapture("io.netty.util.ResourceLeakDetector", Level.ERROR)) {
            List<RawHttp2.Frame> frames;
            try (RawHttp2 h2 = open()) {
                CompletableFuture<List<RawHttp2.Frame>> reading = reader(h2);
                try {
                    for (int i = 0; i < 1000; i++) {
                        int stream = 2 * i + 1;
                        h2.frame(RawHttp2.HEADERS, RawHttp2.END_STREAM | RawHttp2.END_HEADERS, stream, RawHttp2.get("/name"));
                        h2.reset(stream, RawHttp2.CANCEL);
                        if (i % 50 == 49) {
                            h2.flush();
                        }
                    }
                } catch (IOException closedUnderUs) {
                    // dicomlb closed the connection while the burst was still being written
                }
                frames = reading.get(20, TimeUnit.SECONDS);
            }
            RawHttp2.Frame goAway = goAway(frames);
            assertThat(goAway.errorCode()).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
            Eventually.until(() -> access.lines().size() >= 202, Duration.ofSeconds(10), () -> access.lines().size());
            assertThat(access.lines()).filteredOn(l -> l.contains(" req=")).hasSize(201)
                    .allMatch(l -> l.contains("status=-") && l.endsWith("end=client_aborted"));
            assertThat(b.requests()).isLessThanOrEqualTo(201);
            assertThat(connectionLine()).contains("proto=HTTP/2.0 h2_error=enhance_your_calm").endsWith("end=protocol");
            assertThat(fx.metric(CONNECTION_ERRORS.formatted("enhance_your_calm"))).isEqualTo(1);
            othersAreServed();
            for (int i = 0; i < 20 && leaks.lines().isEmpty(); i++) {
                // A leak is reported when the collector has found the buffer and the next one is tracked.
                System.gc();
                Thread.sleep(50);
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
            }
            assertThat(leaks.lines()).as("buffers leaked").isEmpty();
        } finally {
            ResourceLeakDetector.setLevel(leakLevel);
        }
    }

    /**
     * The CONTINUATION flood (2024): a header block that never ends. Large fragments end the
     * connection with PROTOCOL_ERROR once the block passes 1.25 times max-header-size (40 KiB
     * here: after 3 frames of 16,000 octets); tiny ones with ENHANCE_YOUR_CALM after 16.
     */
    @Test
    void aContinuationFloodEndsTheConnection() throws Exception {
        // What the fragments hold does not matter: a block is decoded only once it is complete.
        assertThat(continuationFlood(new byte[16_000], 300)).isEqualTo(RawHttp2.PROTOCOL_ERROR);
        assertThat(continuationFlood(new byte[0], 1000)).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
        assertThat(b.requests()).isZero();
        assertThat(fx.metric(CONNECTION_ERRORS.formatted("protocol_error"))).isEqualTo(1);
        assertThat(fx.metric(CONNECTION_ERRORS.formatted("enhance_your_calm"))).isEqualTo(1);
        othersAreServed();
    }

    /** HEADERS without END_HEADERS, then up to {@code frames} CONTINUATION frames; the GOAWAY's error code. */
    private int continuationFlood(byte[] fragment, int frames) throws Exception {
        try (RawHttp2 h2 = open()) {
            CompletableFuture<List<RawHttp2.Frame>> reading = reader(h2);
            try {
                h2.frame(RawHttp2.HEADERS, RawHttp2.END_STREAM, 1, RawHttp2.get("/name")).flush();
                for (int i = 0; i < frames; i++) {
                    h2.frame(RawHttp2.CONTINUATION, 0, 1, fragment).flush();
                }
            } catch (IOException closedUnderUs) {
                // dicomlb closed the connection while the flood was still being written
            }
            return goAway(reading.get(20, TimeUnit.SECONDS)).errorCode();
        }
    }

    /** CVE-2019-9518: empty DATA frames without END_STREAM. The third in a row ends the connection. */
    @Test
    void emptyDataFramesEndTheConnection() throws Exception {
        try (RawHttp2 h2 = open()) {
            CompletableFuture<List<RawHttp2.Frame>> reading = reader(h2);
            try {
                h2.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1, RawHttp2.get("/echo")).flush();
                for (int i = 0; i < 1000; i++) {
                    h2.frame(RawHttp2.DATA, 0, 1, new byte[0]).flush();
                }
            } catch (IOException closedUnderUs) {
                // dicomlb closed the connection while the flood was still being written
            }
            assertThat(goAway(reading.get(20, TimeUnit.SECONDS)).errorCode()).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
        }
        assertThat(connectionLine()).contains("h2_error=enhance_your_calm").endsWith("end=protocol");
        othersAreServed();
    }

    /**
     * CVE-2019-9512 and -9515: PINGs and SETTINGS from a client that does not read the answers
     * (a 4 KiB receive window). The answers queue in dicomlb until 10,000 wait, then the
     * connection ends with ENHANCE_YOUR_CALM (its GOAWAY cannot reach a client that does not read;
     * closing waits up to 3 seconds for TLS's close_notify, then the connection is cut).
     */
    @Test
    void controlFramesWhoseAnswersAreNotReadEndTheConnection() throws Exception {
        controlFlood(RawHttp2.PING, 8);
        controlFlood(RawHttp2.SETTINGS, 0);
        assertThat(access.lines()).hasSize(2).allMatch(l -> l.contains("h2_error=enhance_your_calm") && l.endsWith("end=protocol"));
        assertThat(fx.metric(CONNECTION_ERRORS.formatted("enhance_your_calm"))).isEqualTo(2);
        othersAreServed();
    }

    /**
     * Up to 400,000 frames of {@code type} (at most 6.8 MB), not reading; returns when dicomlb has
     * ended the connection. So many, as the kernel holds up to 4 MiB of the answers in the socket's
     * send buffer before any waits in dicomlb.
     */
    private void controlFlood(int type, int payload) throws Exception {
        int ended = access.lines().size() + 1;
        try (RawHttp2 h2 = RawHttp2.open(pki.trustingContext(), fx.listenPort, 4096)) {
            try {
                for (int batch = 0; batch < 400 && access.lines().size() < ended; batch++) {
                    for (int i = 0; i < 1000; i++) {
                        h2.frame(type, 0, 0, new byte[payload]);
                    }
                    h2.flush();
                }
            } catch (IOException closedUnderUs) {
                // dicomlb closed the connection while the flood was still being written
            }
            Eventually.until(() -> access.lines().size() >= ended, Duration.ofSeconds(15), access::lines);
        }
    }

    /**
     * 140 streams at once against SETTINGS_MAX_CONCURRENT_STREAMS 128, before the client has even
     * acknowledged the SETTINGS: the 12 beyond it are reset with REFUSED_STREAM and never reach
     * the backend; the 128 are answered.
     */
    @Test
    void streamsBeyondTheLimitAreRefused() throws Exception {
        List<RawHttp2.Frame> frames = new ArrayList<>();
        try (RawHttp2 h2 = open()) {
            for (int i = 0; i < 140; i++) {
                h2.frame(RawHttp2.HEADERS, RawHttp2.END_STREAM | RawHttp2.END_HEADERS, 2 * i + 1, RawHttp2.get("/slow/1000"));
            }
            h2.flush();
            // Until every stream has ended: 128 answers (DATA with END_STREAM) and the resets.
            for (int ends = 0, n = 0; ends < 140 && n < 2000; n++) {
                RawHttp2.Frame f = h2.read();
                frames.add(f);
                if (f.type() == RawHttp2.RST_STREAM || f.type() == RawHttp2.DATA && (f.flags() & RawHttp2.END_STREAM) != 0) {
                    ends++;
                }
            }
        }
        List<RawHttp2.Frame> resets = frames.stream().filter(f -> f.type() == RawHttp2.RST_STREAM).toList();
        assertThat(resets).hasSize(12).allMatch(f -> f.errorCode() == RawHttp2.REFUSED_STREAM && f.stream() > 2 * 128);
        assertThat(frames).filteredOn(f -> f.type() == RawHttp2.HEADERS).hasSize(128)
                .allMatch(f -> f.firstHeaderOctet() == 0x88); // :status 200
        assertThat(b.requests()).isEqualTo(128);
        Eventually.until(() -> access.lines().size() >= 128, Duration.ofSeconds(10), () -> access.lines().size());
        assertThat(access.lines()).hasSize(128).allMatch(l -> l.contains("status=200"));
    }

    /**
     * An HPACK bomb: one 4,000-octet field put in the dynamic table, then referred to 12,000
     * times in one octet each (48 MB decompressed) against max-header-size 32768. The stream gets
     * 431 and is reset (PROTOCOL_ERROR) without the block being built; the table stays in step, so
     * the connection goes on and its next stream is served.
     */
    @Test
    void anHpackBombIsAnswered431AndTheConnectionGoesOn() throws Exception {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(RawHttp2.get("/name"));
        block.write(0x40); // a literal with incremental indexing, new name
        RawHttp2.string(block, "x-big");
        RawHttp2.string(block, "a".repeat(4000));
        for (int i = 0; i < 12_000; i++) {
            block.write(0x80 | 62); // indexed: the first dynamic-table entry, x-big
        }
        try (RawHttp2 h2 = open()) {
            h2.frame(RawHttp2.HEADERS, RawHttp2.END_STREAM | RawHttp2.END_HEADERS, 1, block.toByteArray()).flush();
            assertThat(new String(h2.await(RawHttp2.HEADERS, 1).payload(), StandardCharsets.US_ASCII)).endsWith("431");
            assertThat(h2.await(RawHttp2.RST_STREAM, 1).errorCode()).isEqualTo(RawHttp2.PROTOCOL_ERROR);
            h2.frame(RawHttp2.HEADERS, RawHttp2.END_STREAM | RawHttp2.END_HEADERS, 3, RawHttp2.get("/name")).flush();
            assertThat(h2.await(RawHttp2.HEADERS, 3).firstHeaderOctet()).isEqualTo(0x88); // :status 200
            assertThat(new String(h2.await(RawHttp2.DATA, 3).payload(), StandardCharsets.US_ASCII)).isEqualTo("b1");
        }
        assertThat(b.requests()).isEqualTo(1);
        assertThat(access.lines()).noneMatch(l -> l.contains("h2_error="));
    }
}

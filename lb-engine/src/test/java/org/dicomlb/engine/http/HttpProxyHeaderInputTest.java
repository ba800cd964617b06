package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import javax.net.ssl.SSLSocket;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an http listener makes of the PROXY headers a trusted upstream may send, on the wire, per
 * the spec (haproxy.org proxy-protocol.txt): v1 and v2, a header dribbled in byte by byte, TLVs
 * (SSL, unknown, one that overruns the header), LOCAL, the families that name no TCP client
 * (AF_UNSPEC, AF_UNIX), IPv6, the largest header there is, garbage, and a header sharing its
 * segment with the request or the TLS ClientHello. What the client sent behind the header must
 * reach the backend whole; the access log's {@code client=} is the client the header named, or the
 * upstream itself when it named none.
 *
 * <p>203.0.113.7 and 2001:db8::7 appear only inside headers the test writes; every socket is on 127.0.0.x.
 */
class HttpProxyHeaderInputTest {
    private static final byte[] SIGNATURE = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a");
    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.ofLiteral("203.0.113.7"), 4242);
    private static final String REQUEST = "GET /headers HTTP/1.1\r\nHost: web.test\r\n\r\n";
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private HttpTestBackend backend;
    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        if (backend != null) {
            backend.close();
        }
    }

    private void start(String trusted) throws Exception {
        backend = HttpTestBackend.start("b1", "127.0.0.11");
        fx.start(Configs.httpListener(fx.listenPort, backend, "timeouts: { request: 2s }\nproxy-protocol: { trusted: [%s] }"
                .formatted(trusted), ""));
    }

    /** A v2 header: version 2, {@code command} (0 LOCAL, 1 PROXY), {@code family} byte, then {@code body}. */
    private static byte[] v2(int command, int family, byte[] body) {
        return ByteBuffer.allocate(16 + body.length).put(SIGNATURE).put((byte) (0x20 | command)).put((byte) family)
                .putShort((short) body.length).put(body).array();
    }

    /** TCP over IPv4 from {@link #CLIENT} to the listener, followed by {@code tlvs}. */
    private byte[] tcp4(byte[] tlvs) {
        return v2(1, 0x11, ByteBuffer.allocate(12 + tlvs.length).put(CLIENT.getAddress().getAddress())
                .put(fx.front().getAddress().getAddress()).putShort((short) CLIENT.getPort())
                .putShort((short) fx.listenPort).put(tlvs).array());
    }

    private static byte[] tlv(int type, byte[] value) {
        return ByteBuffer.allocate(3 + value.length).put((byte) type).putShort((short) value.length).put(value).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends the header and the request in one write (one segment); returns the response. */
    private RawHttp.Response inOneSegment(byte[] header) throws IOException {
        try (RawHttp c = new RawHttp(fx.front())) {
            return c.send(concat(header, ascii(REQUEST))).read();
        }
    }

    private String onlyLogLine() {
        Eventually.until(() -> !access.lines().isEmpty(), Duration.ofSeconds(10), access::lines);
        assertThat(access.lines()).hasSize(1);
        return access.lines().getFirst();
    }

    private void assertNamedClient(RawHttp.Response r) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("x-forwarded-for: 203.0.113.7\n");
        assertThat(onlyLogLine()).contains("client=203.0.113.7:4242", "via=127.0.0.1:", "status=200", "end=complete");
    }

    @Test
    void aV1TextHeaderNamesTheClient() throws Exception {
        start("127.0.0.1/32");
        assertNamedClient(inOneSegment(ascii("PROXY TCP4 203.0.113.7 127.0.0.1 4242 " + fx.listenPort + "\r\n")));
    }

    @Test
    void aV2HeaderSentByteByByteAndTheRequestBehindItArriveWhole() throws Exception {
        start("127.0.0.1/32");
        byte[] all = concat(tcp4(new byte[0]), ascii(REQUEST));
        try (RawHttp c = new RawHttp(fx.front())) {
            c.socket().setTcpNoDelay(true);
            for (byte b : all) {
                c.send(new byte[] {b});
                Thread.sleep(2);
            }
            assertNamedClient(c.read());
        }
    }

    @Test
    void tlvsAreSkippedWhetherSslOrUnknown() throws Exception {
        start("127.0.0.1/32");
        // PP2_TYPE_SSL: client 0x01 (TLS), verify 0, a PP2_SUBTYPE_SSL_VERSION inside; then an unknown type (0xE5),
        // an AUTHORITY and a NOOP, as HAProxy and cloud balancers send them.
        byte[] ssl = tlv(0x20, concat(new byte[] {0x01, 0, 0, 0, 0}, tlv(0x21, ascii("TLSv1.3"))));
        assertNamedClient(inOneSegment(tcp4(concat(ssl, tlv(0xE5, ascii("vendor data")), tlv(0x02, ascii("web.test")),
                tlv(0x04, new byte[3])))));
    }

    @Test
    void theLargestHeaderThereIsIsRead() throws Exception {
        start("127.0.0.1/32");
        // Length 65535: the 12 octets of addresses and one NOOP TLV filling the rest.
        assertNamedClient(inOneSegment(tcp4(tlv(0x04, new byte[65535 - 12 - 3]))));
    }

    @Test
    void anIpv6ClientIsLoggedAsSuch() throws Exception {
        start("127.0.0.1/32");
        byte[] addresses = ByteBuffer.allocate(36).put(InetAddress.ofLiteral("2001:db8::7").getAddress())
                .put(InetAddress.ofLiteral("2001:db8::1").getAddress()).putShort((short) 4242).putShort((short) 443).array();
        RawHttp.Response r = inOneSegment(v2(1, 0x21, addresses));
        assertThat(r.status()).isEqualTo(200);
        // Written out in full, as Java spells any IPv6 address (a directly connected client's too).
        assertThat(r.text()).contains("x-forwarded-for: 2001:db8:0:0:0:0:0:7\n");
        assertThat(onlyLogLine()).contains("client=[2001:db8:0:0:0:0:0:7]:4242", "via=127.0.0.1:");
    }

    /** LOCAL (an upstream's health check), AF_UNSPEC and AF_UNIX name no TCP client: the upstream is the client. */
    @Test
    void headersNamingNoTcpClientLeaveTheUpstreamAsTheClient() throws Exception {
        start("127.0.0.1/32");
        byte[] unix = new byte[216];
        System.arraycopy(ascii("/run/haproxy.sock"), 0, unix, 0, 17);
        byte[][] headers = {
            v2(0, 0x00, new byte[0]),
            v2(0, 0x11, new byte[12]),  // LOCAL with addresses, which the receiver must ignore
            v2(1, 0x00, new byte[0]),
            v2(1, 0x31, unix),
        };
        for (byte[] h : headers) {
            try (RawHttp c = new RawHttp(fx.front())) {
                int me = c.socket().getLocalPort();
                RawHttp.Response r = c.send(concat(h, ascii(REQUEST))).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).contains("x-forwarded-for: 127.0.0.1\n");
                Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains("client=127.0.0.1:" + me + " ")),
                        Duration.ofSeconds(10), access::lines);
            }
        }
        assertThat(access.lines()).hasSize(headers.length).noneMatch(l -> l.contains("via=")).allMatch(l -> l.contains("status=200"));
        assertThat(backend.requests()).isEqualTo(headers.length);
    }

    @Test
    void malformedHeadersEndTheConnectionAsProxyHeader() throws Exception {
        start("127.0.0.1/32");
        byte[][] bad = {
            ascii(REQUEST),  // no header at all
            tcp4(concat(new byte[] {(byte) 0xE5, 0x00, 0x40}, new byte[8])),  // a TLV longer than what is left
            tcp4(concat(tlv(0xE5, new byte[4]), new byte[] {0x20, 0x00, 0x40, 0x01})),  // the same after a good one
            v2(1, 0x11, new byte[5]),  // addresses cut short
            concat(SIGNATURE, new byte[] {0x11, 0x11, 0, 12}, new byte[12]),  // version 1 in binary form
            ascii("PROXY TCP4 203.0.113.7\r\n"),
            new byte[200],
        };
        for (byte[] b : bad) {
            try (RawHttp c = new RawHttp(fx.front())) {
                c.send(concat(b, ascii(REQUEST)));
                Eventually.until(c::closedByPeer, Duration.ofSeconds(10), () -> "still open");
            }
        }
        // A header cut short and nothing after it: closed when timeouts.request (2s) runs out.
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send(concat(SIGNATURE, new byte[] {0x21, 0x11, 0, 12}, new byte[2]));
            Eventually.until(c::closedByPeer, Duration.ofSeconds(10), () -> "still open");
        }
        Eventually.until(() -> access.lines().size() > bad.length, Duration.ofSeconds(10), access::lines);
        assertThat(access.lines()).hasSize(bad.length + 1).allMatch(l -> l.contains("end=proxy_header") && l.contains("proxy_error="))
                .as("no buffer internals in the log").noneMatch(l -> l.contains("ByteBuf"));
        assertThat(backend.requests()).isZero();
    }

    @Test
    void anUntrustedSourcesHeaderIsNotHonoured() throws Exception {
        start("127.0.0.2/32");
        try (RawHttp c = new RawHttp(fx.front())) {
            int me = c.socket().getLocalPort();
            RawHttp.Response r = c.send(concat(tcp4(new byte[0]), ascii(REQUEST))).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(onlyLogLine()).contains("client=127.0.0.1:" + me + " ").doesNotContain("203.0.113.7", "via=");
        }
        assertThat(backend.requests()).isZero();
    }

    @Test
    void theTlsClientHelloMayShareTheHeadersSegment() throws Exception {
        backend = HttpTestBackend.start("b1", "127.0.0.11");
        TestPki pki = TestPki.create(dir, "web");
        TestPki.Issued cert = pki.server("web", TestPki.Names.cn("web.test").ip("127.0.0.1"));
        fx.start(Configs.httpsListener(fx.listenPort, cert.chain(), cert.key(), backend,
                "proxy-protocol: { trusted: [127.0.0.1/32] }", ""));
        byte[] header = tcp4(new byte[0]);
        // The first write on the socket (the ClientHello) carries the header in front of it.
        Socket plain = new Socket() {
            private OutputStream out;

            @Override
            public synchronized OutputStream getOutputStream() throws IOException {
                if (out == null) {
                    out = new FilterOutputStream(super.getOutputStream()) {
                        private boolean first = true;

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            if (first) {
                                first = false;
                                out.write(concat(header, Arrays.copyOfRange(b, off, off + len)));
                            } else {
                                out.write(b, off, len);
                            }
                        }
                    };
                }
                return out;
            }
        };
        plain.setSoTimeout(15_000);
        plain.connect(fx.front(), 5_000);
        try (SSLSocket tls = (SSLSocket) pki.trustingContext().getSocketFactory().createSocket(plain, "127.0.0.1",
                fx.listenPort, true)) {
            tls.getOutputStream().write(ascii(REQUEST.replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n")));
            tls.getOutputStream().flush();
            String response = new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200").contains("x-forwarded-for: 203.0.113.7\n",
                    "x-forwarded-proto: https");
        }
        assertThat(onlyLogLine()).contains("client=203.0.113.7:4242", "via=127.0.0.1:", "status=200");
    }
}

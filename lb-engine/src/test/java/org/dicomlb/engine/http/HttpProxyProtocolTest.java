package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROXY protocol v2 both ways, byte for byte: an http listener reads the header a trusted
 * upstream sends and treats the client it names as the client (forwarded headers, access log with
 * the upstream as {@code via}), closes a trusted connection without one; and a pool with
 * {@code proxy-protocol: v2} sends a header naming the client first on each backend connection,
 * for an http and a tcp listener alike.
 *
 * <p>The address 203.0.113.7 (TEST-NET-3) appears only inside headers written by the test; no
 * packet goes to it. Everything listens on 127.0.0.x.
 */
class HttpProxyProtocolTest {
    private static final byte[] SIGNATURE = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a");
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        access.close();
        fx.close();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A PROXY v2 header for TCP over IPv4 from {@code src} to {@code dst}. */
    private static byte[] v2(InetSocketAddress src, InetSocketAddress dst) {
        ByteBuffer b = ByteBuffer.allocate(16 + 12);
        b.put(SIGNATURE).put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        b.put(src.getAddress().getAddress()).put(dst.getAddress().getAddress());
        b.putShort((short) src.getPort()).putShort((short) dst.getPort());
        return b.array();
    }

    @Test
    void aTrustedUpstreamsHeaderNamesTheClient() throws Exception {
        HttpTestBackend b = HttpTestBackend.start("b1", "127.0.0.11");
        closing.add(b);
        fx.start(Configs.httpListener(fx.listenPort, b, "proxy-protocol: { trusted: [127.0.0.0/8] }", ""));
        InetSocketAddress realClient = new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 4242);
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send(v2(realClient, fx.front()));
            RawHttp.Response r = c.send("GET /headers HTTP/1.1\r\nHost: web.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).contains("x-forwarded-for: 203.0.113.7\n", "forwarded: for=203.0.113.7;proto=http");
            // The header comes once per connection: the next request is the same client's.
            assertThat(c.send("GET /headers HTTP/1.1\r\nHost: web.test\r\n\r\n").read().text())
                    .contains("x-forwarded-for: 203.0.113.7\n");
        }
        Eventually.until(() -> access.lines().size() >= 2, Duration.ofSeconds(10), access::lines);
        assertThat(access.lines().getFirst()).contains("client=203.0.113.7:4242", "via=127.0.0.1:", "status=200");

        // From a trusted address, a connection without the header is closed before anything is served.
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /headers HTTP/1.1\r\nHost: web.test\r\n\r\n");
            Eventually.until(c::closedByPeer, Duration.ofSeconds(10), () -> "still open");
        }
        Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains("end=proxy_header")), Duration.ofSeconds(10),
                access::lines);
        assertThat(b.requests()).isEqualTo(2);
    }

    /**
     * A backend that reads a PROXY v2 header (TCP over IPv4 or IPv6), then, with TLS when given a
     * context, answers every HTTP/1.1 request on the connection with the source the header named
     * ({@code ip:port}), on a kept-alive connection; {@code GET /hold} waits for {@link #release}.
     * A connection without a header is answered {@code no header}.
     */
    private static final class ProxyAwareBackend implements AutoCloseable {
        final ServerSocket server;
        final List<String> sources = new CopyOnWriteArrayList<>();
        final List<String> destinations = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final Thread acceptor;

        ProxyAwareBackend(String host, boolean http) throws IOException {
            this(host, http, null);
        }

        ProxyAwareBackend(String host, boolean http, SSLContext tls) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(host, Ports.free(host)));
            acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread.ofVirtual().start(() -> serve(s, http, tls));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String hostPort() {
            return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
        }

        private void serve(Socket plain, boolean http, SSLContext tls) {
            try (plain) {
                String source = header(new DataInputStream(plain.getInputStream()));
                Socket s = plain;
                if (tls != null) {
                    // The header came in the clear; TLS starts on the octets after it.
                    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), false);
                    ssl.setUseClientMode(false);
                    s = ssl;
                }
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                if (!http) {
                    out.write((source + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    in.read();
                    return;
                }
                for (String head; (head = readHead(in)) != null; ) {
                    if (head.startsWith("GET /hold ")) {
                        release.await(10, TimeUnit.SECONDS);
                    }
                    byte[] body = source.getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // the proxy closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Reads the PROXY v2 header; returns the source it names, {@code no header} or what was wrong. */
        private String header(DataInputStream in) throws IOException {
            byte[] sig = in.readNBytes(12);
            if (!java.util.Arrays.equals(sig, SIGNATURE)) {
                sources.add("no header");
                return "no header";
            }
            int verCmd = in.readUnsignedByte();
            int family = in.readUnsignedByte();
            int len = in.readUnsignedShort();
            ByteBuffer a = ByteBuffer.wrap(in.readNBytes(len));
            int size = family == 0x11 ? 4 : family == 0x21 ? 16 : -1;
            if (verCmd != 0x21 || size < 0 || len < 2 * size + 4) {
                String what = "unexpected " + verCmd + "/" + family + "/" + len;
                sources.add(what);
                return what;
            }
            byte[] src = new byte[size];
            byte[] dst = new byte[size];
            a.get(src).get(dst);
            String source = InetAddress.getByAddress(src).getHostAddress() + ":" + Short.toUnsignedInt(a.getShort());
            destinations.add(family == 0x21 ? "[" + HexFormat.of().formatHex(dst) + "]:" + Short.toUnsignedInt(a.getShort())
                    : InetAddress.getByAddress(dst).getHostAddress() + ":" + Short.toUnsignedInt(a.getShort()));
            sources.add(source);
            return source;
        }

        /** Reads a bodiless request's head; null at the end of the stream. */
        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            for (int c; (c = in.read()) >= 0; ) {
                head.write(c);
                matched = (c == '\r' && matched % 2 == 0) || (c == '\n' && matched % 2 == 1) ? matched + 1 : 0;
                if (matched == 4) {
                    return head.toString(StandardCharsets.US_ASCII);
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            server.close();
        }
    }

    @Test
    void aPoolWithProxyProtocolNamesTheClientToItsBackendsOverHttpAndTcp() throws Exception {
        ProxyAwareBackend web = new ProxyAwareBackend("127.0.0.11", true);
        ProxyAwareBackend raw = new ProxyAwareBackend("127.0.0.12", false);
        closing.add(web);
        closing.add(raw);
        int tcpPort = Ports.free("127.0.0.1");
        fx.start("""
                listeners:
                  - { name: web, bind: 127.0.0.1:%d, mode: http, pool: web }
                  - { name: raw, bind: 127.0.0.1:%d, mode: tcp, pool: raw }
                pools:
                  - name: web
                    health-check: none
                    proxy-protocol: v2
                    backends: [{ name: w1, address: %s }]
                  - name: raw
                    health-check: none
                    proxy-protocol: v2
                    backends: [{ name: r1, address: %s }]
                """.formatted(fx.listenPort, tcpPort, web.hostPort(), raw.hostPort()));
        try (RawHttp c = new RawHttp(fx.front())) {
            String me = "127.0.0.1:" + c.socket().getLocalPort();
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = c.send("GET /who HTTP/1.1\r\nHost: web.test\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo(me);
            }
            assertThat(web.sources).as("one backend connection, one header, for the three requests").containsExactly(me);
        }
        // A second client is never given the first one's backend connection: its own header names it.
        try (RawHttp c = new RawHttp(fx.front())) {
            String me = "127.0.0.1:" + c.socket().getLocalPort();
            assertThat(c.send("GET /who HTTP/1.1\r\nHost: web.test\r\n\r\n").read().text()).isEqualTo(me);
        }
        try (Socket s = new Socket("127.0.0.1", tcpPort)) {
            s.setSoTimeout(10_000);
            String line = new String(s.getInputStream().readNBytes(("127.0.0.1:" + s.getLocalPort() + "\n").length()),
                    StandardCharsets.US_ASCII);
            assertThat(line).isEqualTo("127.0.0.1:" + s.getLocalPort() + "\n");
        }
    }

    /**
     * A backend connection carries the PROXY header of the client it was made for, whatever the
     * pool says by the time it is done: one that is kept while a reload turns the pool's
     * {@code proxy-protocol} off must not serve another client, whose requests the backend would
     * take for the first client's.
     */
    @Test
    void aConnectionNamingOneClientNeverServesAnotherAcrossAReload() throws Exception {
        ProxyAwareBackend web = new ProxyAwareBackend("127.0.0.11", true);
        closing.add(web);
        String config = """
                listeners:
                  - { name: web, bind: 127.0.0.1:%d, mode: http, pool: web }
                pools:
                  - name: web
                    health-check: none
                    proxy-protocol: %s
                    backends: [{ name: w1, address: %s }]
                """;
        fx.start(config.formatted(fx.listenPort, "v2", web.hostPort()));
        try (RawHttp a = new RawHttp(fx.front())) {
            String first = "127.0.0.1:" + a.socket().getLocalPort();
            a.send("GET /hold HTTP/1.1\r\nHost: web.test\r\n\r\n");
            Eventually.until(() -> web.sources.contains(first), Duration.ofSeconds(10), () -> web.sources);
            assertThat(fx.apply(config.formatted(fx.listenPort, "none", web.hostPort())).applied()).isTrue();
            web.release.countDown();
            assertThat(a.read().text()).isEqualTo(first);
            // Two further clients: the io group has two event loops and takes connections in turn,
            // so one of them is on the first client's loop, where its backend connection would be kept.
            for (int i = 0; i < 2; i++) {
                try (RawHttp b = new RawHttp(fx.front())) {
                    assertThat(b.send("GET /who HTTP/1.1\r\nHost: web.test\r\n\r\n").read().text())
                            .as("client %d after the reload", i + 2).isNotEqualTo(first);
                }
            }
        }
    }

    /**
     * A client an upstream named over IPv6, on an IPv4 listener, goes to the backend as TCP over
     * IPv6 with the listener's address mapped; and the header goes before the TLS handshake of a
     * pool with {@code tls}.
     */
    @Test
    void anIpv6ClientIsNamedToATlsBackendBeforeTheHandshake(@TempDir Path dir)
            throws Exception {
        TestPki pki = TestPki.create(dir, "pp");
        TestPki.Issued cert = pki.server("backend",
                TestPki.Names.cn("archive.test").ip("127.0.0.11"));
        ProxyAwareBackend web = new ProxyAwareBackend("127.0.0.11", true, TestPki.serverContext(cert));
        closing.add(web);
        fx.start("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: web
                    proxy-protocol: { trusted: [127.0.0.1/32] }
                pools:
                  - name: web
                    health-check: none
                    proxy-protocol: v2
                    tls: { ca: %s }
                    backends: [{ name: w1, address: %s }]
                """.formatted(fx.listenPort, pki.caFile(), web.hostPort()));
        byte[] tcp6 = ByteBuffer.allocate(16 + 36).put(SIGNATURE).put((byte) 0x21).put((byte) 0x21).putShort((short) 36)
                .put(InetAddress.ofLiteral("2001:db8::7").getAddress()).put(InetAddress.ofLiteral("2001:db8::1").getAddress())
                .putShort((short) 4242).putShort((short) 443).array();
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send(tcp6).send("GET /who HTTP/1.1\r\nHost: web.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("2001:db8:0:0:0:0:0:7:4242");
        }
        assertThat(web.destinations).containsExactly("[00000000000000000000ffff7f000001]:" + fx.listenPort);
    }
}

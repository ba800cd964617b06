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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
        fx.start("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: p
                    proxy-protocol: { trusted: [127.0.0.0/8] }
                pools:
                  - name: p
                    health-check: none
                    backends: [{ name: b1, address: %s }]
                """.formatted(fx.listenPort, b.hostPort()));
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
     * A backend that reads a PROXY v2 header, then answers every HTTP/1.1 request on the
     * connection with the source the header named ({@code ip:port}), on a kept-alive connection.
     */
    private static final class ProxyAwareBackend implements AutoCloseable {
        final ServerSocket server;
        final List<String> sources = new CopyOnWriteArrayList<>();
        final Thread acceptor;

        ProxyAwareBackend(String host, boolean http) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(host, Ports.free(host)));
            acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread.ofVirtual().start(() -> serve(s, http));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String hostPort() {
            return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
        }

        private void serve(Socket s, boolean http) {
            try (s) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] sig = in.readNBytes(12);
                if (!java.util.Arrays.equals(sig, SIGNATURE)) {
                    sources.add("no header");
                    return;
                }
                int verCmd = in.readUnsignedByte();
                int family = in.readUnsignedByte();
                int len = in.readUnsignedShort();
                byte[] addr = in.readNBytes(len);
                if (verCmd != 0x21 || family != 0x11 || len < 12) {
                    sources.add("unexpected " + verCmd + "/" + family + "/" + len);
                    return;
                }
                ByteBuffer a = ByteBuffer.wrap(addr);
                byte[] src = new byte[4];
                a.get(src).position(8);
                String source = InetAddress.getByAddress(src).getHostAddress() + ":" + Short.toUnsignedInt(a.getShort());
                sources.add(source);
                OutputStream out = s.getOutputStream();
                if (!http) {
                    out.write((source + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    in.read();
                    return;
                }
                while (readHead(in)) {
                    byte[] body = source.getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // the proxy closed the connection
            }
        }

        /** Reads a bodiless request's head; false at the end of the stream. */
        private static boolean readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            for (int c; (c = in.read()) >= 0; ) {
                head.write(c);
                matched = (c == '\r' && matched % 2 == 0) || (c == '\n' && matched % 2 == 1) ? matched + 1 : 0;
                if (matched == 4) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
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
}

package org.dicomlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenSSL provider against the JDK one: it is the one chosen here, it negotiates the same
 * protocol and suite as the JDK provider with the same clients, the two interoperate (client
 * certificates included), and ALPN works on both.
 */
class TlsProviderTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued serverCert;
    static TestPki.Issued clientCert;
    static EventLoopGroup group;

    @BeforeAll
    static void setUp() {
        pki = TestPki.create(dir, "providers");
        serverCert = pki.server("server", TestPki.Names.cn("archive.test").dns("archive.test").ip("127.0.0.1"));
        clientCert = pki.client("client", TestPki.Names.cn("ct01.test"));
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Both ends of one finished handshake. */
    record Ends(SSLSession client, SSLSession server, SslHandler clientHandler, SslHandler serverHandler) {
    }

    private static Optional<Ends> handshake(Supplier<SslHandler> serverHandler, SslHandler clientHandler) throws Exception {
        int port = Ports.free("127.0.0.1");
        CompletableFuture<SslHandler> serverSide = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler h = serverHandler.get();
                        ch.pipeline().addLast(h);
                        serverSide.complete(h);
                    }
                }).bind("127.0.0.1", port).sync().channel();
        try {
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(clientHandler);
                        }
                    }).connect("127.0.0.1", port).sync().channel();
            try {
                assertThat(clientHandler.handshakeFuture().awaitUninterruptibly(TIMEOUT.toMillis())).isTrue();
                SslHandler s = serverSide.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(s.handshakeFuture().awaitUninterruptibly(TIMEOUT.toMillis())).isTrue();
                if (!clientHandler.handshakeFuture().isSuccess() || !s.handshakeFuture().isSuccess()) {
                    return Optional.empty();
                }
                return Optional.of(new Ends(clientHandler.engine().getSession(), s.engine().getSession(), clientHandler, s));
            } finally {
                client.close().sync();
            }
        } finally {
            server.close().sync();
        }
    }

    private static ServerTls server(ClientAuth auth, TlsProvider provider) throws TlsFileException {
        return ServerTls.load(serverCert.chain(), serverCert.key(),
                auth == ClientAuth.NONE ? Optional.empty() : Optional.of(pki.caFile()), auth, Duration.ofSeconds(10), provider);
    }

    private static ClientTls client(boolean withCertificate, TlsProvider provider) throws TlsFileException {
        return ClientTls.load(Optional.of(pki.caFile()), true, Optional.empty(),
                withCertificate ? Optional.of(clientCert.chain()) : Optional.empty(),
                withCertificate ? Optional.of(clientCert.key()) : Optional.empty(), provider);
    }

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 1);

    /** A plain SunJSSE client outside dicomlb, restricted as a peer might be. */
    private static SslHandler jdkClient(List<String> protocols, List<String> suites, List<String> alpn) throws Exception {
        SSLContext jdk = SSLContext.getInstance("TLS");
        jdk.init(null, new TrustManager[] {InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]}, null);
        SSLEngine e = jdk.createSSLEngine();
        e.setUseClientMode(true);
        e.setEnabledProtocols(protocols.toArray(String[]::new));
        if (!suites.isEmpty()) {
            e.setEnabledCipherSuites(suites.toArray(String[]::new));
        }
        if (!alpn.isEmpty()) {
            SSLParameters p = e.getSSLParameters();
            p.setApplicationProtocols(alpn.toArray(String[]::new));
            e.setSSLParameters(p);
        }
        return new SslHandler(e);
    }

    @Test
    void openSslIsThePreferredProviderOnThisPlatform() {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative did not load: %s", OpenSsl.unavailabilityCause()).isTrue();
        assertThat(TlsProvider.preferred()).isEqualTo(TlsProvider.OPENSSL);
        assertThat(TlsProvider.OPENSSL.describe()).isEqualTo("OpenSSL (BoringSSL)");
        assertThat(TlsProvider.JDK.describe()).startsWith("JDK (SunJSSE, Java ");
    }

    @Test
    void theProfileSuiteNamesAllMapToOpenSsl() {
        assertThat(TlsProfile.CIPHER_SUITES).allSatisfy(suite ->
                assertThat(OpenSsl.isCipherSuiteAvailable(suite)).as(suite).isTrue());
    }

    /**
     * The same clients get the same protocol and suite from a server of either provider: the
     * profile's order decides under TLS 1.2 (AES-256 even for a client preferring AES-128), and a
     * TLS 1.3 client offering AES-256-GCM first (SunJSSE, OpenSSL 3: DCMTK, curl) gets it from
     * both. One difference, inside the profile: under TLS 1.3 BoringSSL follows the client's
     * order among the three TLS 1.3 suites, so a BoringSSL client (dicomlb's own OpenSSL client,
     * which offers AES-128-GCM first) gets AES-128-GCM from an OpenSSL server.
     */
    @Test
    void bothProvidersNegotiateTheSameProtocolAndSuite() throws Exception {
        Map<String, ThrowingSupplier> clients = new LinkedHashMap<>();
        clients.put("JDK default", () -> jdkClient(List.of("TLSv1.3", "TLSv1.2"), List.of(), List.of()));
        clients.put("JDK TLS 1.2", () -> jdkClient(List.of("TLSv1.2"), List.of(), List.of()));
        clients.put("JDK TLS 1.2 preferring AES-128", () -> jdkClient(List.of("TLSv1.2"),
                List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), List.of()));
        clients.put("dicomlb OpenSSL", () -> client(false, TlsProvider.OPENSSL).newHandler(ByteBufAllocator.DEFAULT, LOOPBACK, TIMEOUT));
        clients.put("dicomlb JDK", () -> client(false, TlsProvider.JDK).newHandler(ByteBufAllocator.DEFAULT, LOOPBACK, TIMEOUT));
        List<String> openssl = new ArrayList<>();
        List<String> jdk = new ArrayList<>();
        for (var c : clients.entrySet()) {
            for (TlsProvider p : TlsProvider.values()) {
                ServerTls tls = server(ClientAuth.NONE, p);
                Ends ends = handshake(() -> tls.newHandler(ByteBufAllocator.DEFAULT), c.getValue().get())
                        .orElseThrow(() -> new AssertionError(c.getKey() + " failed against " + p));
                assertThat(TlsProfile.CIPHER_SUITES).contains(ends.server().getCipherSuite());
                (p == TlsProvider.OPENSSL ? openssl : jdk).add(c.getKey() + ": " + TlsChannels.describe(ends.server()));
            }
        }
        assertThat(openssl).containsExactly(
                "JDK default: TLSv1.3/TLS_AES_256_GCM_SHA384",
                "JDK TLS 1.2: TLSv1.2/TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "JDK TLS 1.2 preferring AES-128: TLSv1.2/TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "dicomlb OpenSSL: TLSv1.3/TLS_AES_128_GCM_SHA256",
                "dicomlb JDK: TLSv1.3/TLS_AES_256_GCM_SHA384");
        assertThat(jdk).containsExactly(
                "JDK default: TLSv1.3/TLS_AES_256_GCM_SHA384",
                "JDK TLS 1.2: TLSv1.2/TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "JDK TLS 1.2 preferring AES-128: TLSv1.2/TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "dicomlb OpenSSL: TLSv1.3/TLS_AES_256_GCM_SHA384",
                "dicomlb JDK: TLSv1.3/TLS_AES_256_GCM_SHA384");
    }

    /** Each provider's client against the other's server, the client certificate read from the server's session. */
    @Test
    void theProvidersInteroperateWithClientCertificates() throws Exception {
        for (TlsProvider serverSide : TlsProvider.values()) {
            for (TlsProvider clientSide : TlsProvider.values()) {
                ServerTls tls = server(ClientAuth.REQUIRED, serverSide);
                Ends ends = handshake(() -> tls.newHandler(ByteBufAllocator.DEFAULT),
                        client(true, clientSide).newHandler(ByteBufAllocator.DEFAULT, LOOPBACK, TIMEOUT))
                        .orElseThrow(() -> new AssertionError(clientSide + " client failed against " + serverSide + " server"));
                assertThat(PeerIdentity.of(ends.server())).as(clientSide + " -> " + serverSide)
                        .get().extracting(PeerIdentity::commonName).isEqualTo(Optional.of("ct01.test"));
                assertThat(ends.client().getProtocol()).isEqualTo("TLSv1.3");
            }
        }
    }

    @Test
    void alpnChoosesH2OrHttp11OnBothProviders() throws Exception {
        for (TlsProvider p : TlsProvider.values()) {
            ServerTls tls = server(ClientAuth.NONE, p);
            List<String> ours = List.of("h2", "http/1.1");
            Ends h2 = handshake(() -> tls.newHandler(ByteBufAllocator.DEFAULT, ours),
                    jdkClient(List.of("TLSv1.3"), List.of(), List.of("http/1.1", "h2"))).orElseThrow();
            assertThat(h2.serverHandler().engine().getApplicationProtocol()).as(p.name()).isEqualTo("h2");
            assertThat(h2.clientHandler().engine().getApplicationProtocol()).as(p.name()).isEqualTo("h2");
            Ends h1 = handshake(() -> tls.newHandler(ByteBufAllocator.DEFAULT, ours),
                    jdkClient(List.of("TLSv1.3"), List.of(), List.of("http/1.1"))).orElseThrow();
            assertThat(h1.serverHandler().engine().getApplicationProtocol()).as(p.name()).isEqualTo("http/1.1");
            Ends none = handshake(() -> tls.newHandler(ByteBufAllocator.DEFAULT, ours),
                    jdkClient(List.of("TLSv1.3"), List.of(), List.of())).orElseThrow();
            assertThat(none.serverHandler().engine().getApplicationProtocol()).as(p.name()).isNullOrEmpty();
            Ends plain = handshake(() -> tls.newHandler(ByteBufAllocator.DEFAULT),
                    jdkClient(List.of("TLSv1.3"), List.of(), List.of("h2"))).orElseThrow();
            assertThat(plain.serverHandler().engine().getApplicationProtocol()).as(p.name() + " without ALPN").isNullOrEmpty();
        }
    }

    @FunctionalInterface
    interface ThrowingSupplier {
        SslHandler get() throws Exception;
    }
}

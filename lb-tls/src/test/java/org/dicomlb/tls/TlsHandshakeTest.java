package org.dicomlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real handshakes on loopback between the server and client contexts dicomlb builds, with each
 * provider forced (OpenSSL, and the JDK that is the fallback where the native library cannot load).
 */
class TlsHandshakeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued serverCert;
    static TestPki.Issued clientCert;
    static EventLoopGroup group;

    @BeforeAll
    static void setUp() {
        pki = TestPki.create(dir, "handshake");
        serverCert = pki.server("server", TestPki.Names.cn("archive.test").dns("archive.test").ip("127.0.0.1"));
        clientCert = pki.client("client", TestPki.Names.cn("ct01.test"));
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Starts a server with {@code tls}, connects a client with {@code clientHandler}; returns the
     * client's session when both sides completed the handshake (under TLS 1.3 the client finishes
     * before the server has judged its certificate, so the server's verdict is the one that counts).
     */
    static Optional<SSLSession> handshake(ServerTls tls, SslHandler clientHandler) throws Exception {
        int port = Ports.free("127.0.0.1");
        java.util.concurrent.CompletableFuture<SslHandler> serverSide = new java.util.concurrent.CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler h = tls.newHandler(ch.alloc());
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
                var f = clientHandler.handshakeFuture().awaitUninterruptibly(TIMEOUT.toMillis());
                assertThat(f).as("the handshake ended either way").isTrue();
                if (!clientHandler.handshakeFuture().isSuccess()) {
                    return Optional.empty();
                }
                SslHandler s = serverSide.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(s.handshakeFuture().awaitUninterruptibly(TIMEOUT.toMillis())).isTrue();
                return s.handshakeFuture().isSuccess() ? Optional.of(clientHandler.engine().getSession()) : Optional.empty();
            } finally {
                client.close().sync();
            }
        } finally {
            server.close().sync();
        }
    }

    /** The provider the current test forces on both sides (every test runs with each). */
    private TlsProvider provider;

    private ServerTls server(ClientAuth auth) throws TlsFileException {
        ServerTls tls = ServerTls.load(serverCert.chain(), serverCert.key(),
                auth == ClientAuth.NONE ? Optional.empty() : Optional.of(pki.caFile()), auth, Duration.ofSeconds(10), provider);
        assertThat(tls.material().provider()).isEqualTo(provider);
        return tls;
    }

    private ClientTls client(boolean withCertificate, boolean verifyName, Optional<String> name) throws TlsFileException {
        return ClientTls.load(Optional.of(pki.caFile()), verifyName, name,
                withCertificate ? Optional.of(clientCert.chain()) : Optional.empty(),
                withCertificate ? Optional.of(clientCert.key()) : Optional.empty(), provider);
    }

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 1);

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void mutualTlsNegotiatesTls13WithAProfileSuite(TlsProvider provider) throws Exception {
        this.provider = provider;
        SslHandler h = client(true, true, Optional.empty()).newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, LOOPBACK, TIMEOUT);
        Optional<SSLSession> s = handshake(server(ClientAuth.REQUIRED), h);
        assertThat(s).get().satisfies(session -> {
            assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
            assertThat(TlsProfile.CIPHER_SUITES).contains(session.getCipherSuite());
        });
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aClientWithoutCertificateFailsWhenOneIsRequiredAndPassesWhenOptional(TlsProvider provider) throws Exception {
        this.provider = provider;
        assertThat(handshake(server(ClientAuth.REQUIRED),
                client(false, true, Optional.empty()).newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, LOOPBACK, TIMEOUT)))
                .isEmpty();
        assertThat(handshake(server(ClientAuth.OPTIONAL),
                client(false, true, Optional.empty()).newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, LOOPBACK, TIMEOUT)))
                .isPresent();
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void theServerNameIsCheckedAgainstTheAddressOrTheConfiguredName(TlsProvider provider) throws Exception {
        this.provider = provider;
        var alloc = io.netty.buffer.ByteBufAllocator.DEFAULT;
        assertThat(handshake(server(ClientAuth.NONE), client(false, true, Optional.of("archive.test")).newHandler(alloc, LOOPBACK, TIMEOUT)))
                .isPresent();
        assertThat(handshake(server(ClientAuth.NONE), client(false, true, Optional.of("other.test")).newHandler(alloc, LOOPBACK, TIMEOUT)))
                .as("a certificate for another name").isEmpty();
        assertThat(handshake(server(ClientAuth.NONE), client(false, false, Optional.empty())
                .newHandler(alloc, new InetSocketAddress("127.0.0.1", 2), TIMEOUT))).isPresent();
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aTls12PeerGetsAnEcdheGcmSuiteAndACbcOnlyPeerIsRefused(TlsProvider provider) throws Exception {
        this.provider = provider;
        SSLContext jdk = SSLContext.getInstance("TLS");
        jdk.init(null, new javax.net.ssl.TrustManager[] {io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE
                .getTrustManagers()[0]}, null);
        SSLEngine tls12 = jdk.createSSLEngine();
        tls12.setUseClientMode(true);
        tls12.setEnabledProtocols(new String[] {"TLSv1.2"});
        assertThat(handshake(server(ClientAuth.NONE), new SslHandler(tls12))).get().satisfies(s -> {
            assertThat(s.getProtocol()).isEqualTo("TLSv1.2");
            assertThat(s.getCipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        });
        SSLEngine cbc = jdk.createSSLEngine();
        cbc.setUseClientMode(true);
        cbc.setEnabledProtocols(new String[] {"TLSv1.2"});
        cbc.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"});
        assertThat(handshake(server(ClientAuth.NONE), new SslHandler(cbc))).isEmpty();
    }
}

package org.dicomlb.dicom.scp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.netty.DicomChannels;
import org.dicomlb.io.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Verification and Storage SCP on Netty, standing in for a PACS in demos, tests and
 * benchmarks. It accepts Verification and every storage SOP class (PS3.4 annex B UIDs) with
 * implicit or explicit VR little endian, answers C-ECHO, receives C-STORE data sets (written
 * as Part 10 files or only counted), confirms release and honours abort. Memory per
 * association is bounded by the PDU limit, the command-set cap and the storage backlog limit.
 *
 * <p>{@link #start} binds synchronously: call it from a plain thread, never an event loop.
 */
public final class SimulatedScp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SimulatedScp.class);

    private final ScpConfig config;
    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final Counters counters;
    private final Optional<InstanceStore> store;
    private final Optional<EventLoopGroup> ownedGroup;

    private SimulatedScp(ScpConfig config, Channel serverChannel, ChannelGroup channels, Counters counters,
            Optional<InstanceStore> store, Optional<EventLoopGroup> ownedGroup) {
        this.config = config;
        this.serverChannel = serverChannel;
        this.channels = channels;
        this.counters = counters;
        this.store = store;
        this.ownedGroup = ownedGroup;
    }

    /** Starts on a one-thread group of its own, closed with the SCP. */
    public static SimulatedScp start(ScpConfig config, InetSocketAddress bindAddress, ScpListener listener) {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "dicomlb-scp");
        try {
            return start(config, bindAddress, listener, group, transport.serverChannelClass(), Optional.of(group));
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static SimulatedScp start(ScpConfig config, InetSocketAddress bindAddress) {
        return start(config, bindAddress, ScpListener.NONE);
    }

    /** Starts on the caller's group, which the caller keeps and shuts down. */
    public static SimulatedScp start(ScpConfig config, InetSocketAddress bindAddress, ScpListener listener,
            EventLoopGroup group, Class<? extends ServerChannel> serverChannelClass) {
        return start(config, bindAddress, listener, group, serverChannelClass, Optional.empty());
    }

    private static SimulatedScp start(ScpConfig config, InetSocketAddress bindAddress, ScpListener listener,
            EventLoopGroup group, Class<? extends ServerChannel> serverChannelClass,
            Optional<EventLoopGroup> owned) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        Optional<InstanceStore> store = config.storageDirectory().map(dir -> {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create storage directory " + dir, e);
            }
            return new InstanceStore(dir);
        });
        Counters counters = new Counters();
        ChannelGroup channels = new DefaultChannelGroup("simulated-scp", GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(serverChannelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        configure(ch.pipeline(), config, counters, listener, store);
                    }
                });
        Channel server;
        try {
            server = bootstrap.bind(bindAddress).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            store.ifPresent(InstanceStore::close);
            throw e;
        }
        log.info("simulated SCP {} listening on {}", config.aeTitle(), server.localAddress());
        return new SimulatedScp(config, server, channels, counters, store, owned);
    }

    /** The per-association pipeline; package-private so tests can drive it in an EmbeddedChannel. */
    static void configure(ChannelPipeline pipeline, ScpConfig config, Counters counters, ScpListener listener,
            Optional<InstanceStore> store) {
        pipeline.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        DicomChannels.addPduCodec(pipeline, config.frameLimit());
        pipeline.addLast("scp", new ScpHandler(config, counters, listener, store));
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public ScpConfig config() {
        return config;
    }

    public ScpStats stats() {
        return counters.snapshot();
    }

    /** Stops listening, closes open associations, finishes queued file writes. Blocks briefly. */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Our own loop stops first so that the channels' last events (discarding partial files)
        // reach the storage thread before it stops.
        ownedGroup.ifPresent(g -> g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS));
        store.ifPresent(InstanceStore::close);
    }
}

package org.dicomlb.dicom.echo;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dicomlb.io.Transport;

/**
 * An {@link EchoScu} with its own one-thread event loop group (epoll where available, NIO
 * otherwise), for command-line use such as {@code dicomlb echo}. Long-running components pass
 * their own group to {@link EchoScu} instead.
 */
public final class StandaloneEchoScu implements AutoCloseable {
    private final EventLoopGroup group;
    private final EchoScu scu;

    private StandaloneEchoScu(Transport transport) {
        this.group = transport.newGroup(1, "dicomlb-echo");
        this.scu = new EchoScu(group, transport.socketChannelClass());
    }

    public static StandaloneEchoScu create() {
        return new StandaloneEchoScu(Transport.best());
    }

    public CompletableFuture<EchoResult> echo(EchoRequest request) {
        return scu.echo(request);
    }

    /** Shuts the group down and waits up to five seconds; call from a non-event-loop thread. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}

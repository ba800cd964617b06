package org.dicomlb.engine.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.ConnectionRecord;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Endpoint;

/**
 * One client connection and, once connected, its backend connection. Both channels run on the
 * same event loop, so this object is confined to that thread: no locks, no atomics.
 *
 * <p>It owns the backend slot (released exactly once), the access-log record (written exactly
 * once, when both channels are closed) and the half-close bookkeeping.
 */
public final class ProxyConnection {
    private final Channel client;
    private final ListenerContext listener;
    private final ConnectionRecord record;
    private Channel backend;
    private Endpoint endpoint;
    private EngineMetrics.BackendMeters backendMeters;
    private boolean clientInputDone;
    private boolean backendInputDone;
    private boolean finished;
    private boolean admitted;
    private Runnable finishing;

    public ProxyConnection(Channel client, ListenerContext listener, String mode) {
        this.client = client;
        this.listener = listener;
        this.record = new ConnectionRecord(listener.config().name(), mode, (InetSocketAddress) client.remoteAddress());
        listener.meters().accepted.increment();
        listener.meters().active.incrementAndGet();
        client.closeFuture().addListener(f -> channelClosed());
        listener.opened(this);
    }

    /** The listener let this connection start (it counts against max-connections). Event loop only. */
    public void admitted() {
        this.admitted = true;
    }

    public Channel client() {
        return client;
    }

    public Channel backend() {
        return backend;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public ListenerContext listener() {
        return listener;
    }

    public ConnectionRecord record() {
        return record;
    }

    /**
     * The backend connection is established and (for protocols with a handshake) accepted. The
     * slot acquired on {@code e} is now this connection's to release.
     */
    public void backendConnected(Channel ch, Endpoint e) {
        this.backend = ch;
        this.endpoint = e;
        this.backendMeters = listener.metrics().backend(e);
        backendMeters.connections.increment();
        record.endpoint(e);
        ch.closeFuture().addListener(f -> channelClosed());
        if (!client.isActive()) {
            close(EndReason.CLIENT_ABORTED);
        }
    }

    /** Switches both channels to byte relaying; handshake handlers must already be gone. */
    public void startRelay() {
        long idle = listener.config().timeouts().idle().toMillis();
        client.pipeline().addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        client.pipeline().addLast("relay", new RelayHandler(this, true));
        backend.pipeline().addLast("relay", new RelayHandler(this, false));
        client.read();
        backend.read();
    }

    /**
     * Runs {@code hook} once when the connection has fully ended, just before its access-log line
     * is written: a protocol frontend adds its last fields and records its meters there.
     */
    public void onFinish(Runnable hook) {
        this.finishing = hook;
    }

    /** Relaying never started: the connection failed for {@code reason}; close the client. */
    public void fail(EndReason reason) {
        record.end(reason);
        listener.meters().rejected(reason.label());
        closeOnFlush(client);
    }

    /** Ends the connection now (flushing what is queued), for {@code reason} unless one is set. */
    public void close(EndReason reason) {
        record.end(reason);
        closeOnFlush(client);
        if (backend != null) {
            closeOnFlush(backend);
        }
    }

    /** Counts bytes passed between the sides: by the relay, and by a frontend during its handshake. */
    public void relayed(boolean fromClient, int bytes) {
        if (fromClient) {
            record.addIn(bytes);
            listener.meters().bytesIn.increment(bytes);
            backendMeters.bytesIn.increment(bytes);
        } else {
            record.addOut(bytes);
            listener.meters().bytesOut.increment(bytes);
            backendMeters.bytesOut.increment(bytes);
        }
    }

    Channel peerOf(boolean clientSide) {
        return clientSide ? backend : client;
    }

    /**
     * One side sent FIN. Pass it on as a half-close once what it sent before has been written,
     * so request/response protocols that signal "done" with a FIN keep working.
     */
    void inputShutdown(boolean clientSide) {
        record.end(clientSide ? EndReason.CLIENT_CLOSE : EndReason.BACKEND_CLOSE);
        if (clientSide) {
            clientInputDone = true;
        } else {
            backendInputDone = true;
        }
        Channel peer = peerOf(clientSide);
        if (clientInputDone && backendInputDone) {
            close(record.end());
            return;
        }
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && f.channel() instanceof DuplexChannel d && !d.isOutputShutdown()) {
                    d.shutdownOutput();
                } else if (!f.isSuccess()) {
                    close(clientSide ? EndReason.BACKEND_ERROR : EndReason.CLIENT_ERROR);
                }
            });
        }
    }

    /** A side closed or failed: the other side cannot continue alone. */
    void sideClosed(boolean clientSide) {
        record.end(clientSide ? EndReason.CLIENT_CLOSE : EndReason.BACKEND_CLOSE);
        Channel peer = peerOf(clientSide);
        if (peer != null) {
            closeOnFlush(peer);
        }
    }

    void error(boolean clientSide, Throwable cause) {
        record.end(clientSide ? EndReason.CLIENT_ERROR : EndReason.BACKEND_ERROR);
        close(record.end());
    }

    private void channelClosed() {
        if (finished || client.isOpen() || (backend != null && backend.isOpen())) {
            return;
        }
        finished = true;
        if (endpoint != null) {
            endpoint.release();
        }
        record.end(EndReason.CLIENT_CLOSE);
        if (finishing != null) {
            finishing.run();
        }
        listener.meters().active.decrementAndGet();
        listener.meters().duration.record(record.durationNanos(), TimeUnit.NANOSECONDS);
        AccessLog.write(record);
        listener.ended(this);
        if (admitted) {
            listener.connectionClosed();
        }
    }

    /** Closes after everything already queued has been written (Netty proxy example idiom). */
    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (ch.isOpen()) {
            ch.close();
        }
    }
}

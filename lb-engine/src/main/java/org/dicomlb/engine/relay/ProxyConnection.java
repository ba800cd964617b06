package org.dicomlb.engine.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.ConnectionRecord;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.OperatorClose;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.tls.PeerIdentity;
import org.dicomlb.tls.TlsChannels;

/**
 * One client connection and, once connected, its backend connection. Both channels run on the
 * same event loop, so this object is confined to that thread: no locks, no atomics.
 *
 * <p>It owns the backend slot (released exactly once), the access-log record (written exactly
 * once, when both channels are closed), the half-close bookkeeping and the idle timer. What the
 * client sent before the relay started (bytes and a half-close that arrive together with the
 * connection: a request-then-FIN client) is held here and passed on first, never dropped.
 *
 * <p>Hot-path economy: byte counts go to the shared (contended) counters in batches of
 * {@link #METER_BATCH} bytes and at the end, not on every read; the idle timeout is a timestamp
 * checked by one timer per connection rather than a pipeline handler on every event; each channel
 * is closed once, directly when nothing is left to write.
 */
public final class ProxyConnection {
    /**
     * The most a client may send before its relay starts. Nothing is read on purpose before then
     * (AUTO_READ is off); what still arrives comes with an early FIN, bounded by the socket's
     * receive buffer. Beyond this the connection is closed as a client error rather than buffered.
     */
    static final int MAX_HELD_BYTES = 16 * 1024 * 1024;

    private final long id;
    private final Channel client;
    private final ListenerContext listener;
    private final ConnectionOwner owner;
    private final AccessLog accessLog;
    private final ConnectionRecord record;
    /** Client bytes read before the relay started, to be sent to the backend first. */
    private List<ByteBuf> held;
    private int heldBytes;
    /** The client half-closed before the relay started. */
    private boolean clientEndedEarly;
    private Channel backend;
    private Endpoint endpoint;
    private EngineMetrics.BackendMeters backendMeters;
    private boolean clientInputDone;
    private boolean backendInputDone;
    private boolean finished;
    private boolean admitted;
    private boolean clientClosing;
    private boolean backendClosing;
    /** Bytes relayed but not yet added to the shared counters, per direction. */
    private long unmeteredIn;
    private long unmeteredOut;
    private long lastActivityNanos;
    private long idleNanos;
    /** Cancelled when the connection ends, or it would keep the connection reachable until it fires. */
    private io.netty.util.concurrent.ScheduledFuture<?> idleTimer;

    /** Counters are updated at least this often (bytes), so live rates stay visible on long transfers. */
    static final long METER_BATCH = 256 * 1024;
    /** Set once by {@link #onFinish}; null for protocols without extra fields. */
    private Runnable finishing;
    /** Set once by {@link #protocol}; null for protocols without operator hooks. */
    private OperatorHooks hooks;
    private boolean relaying;
    /** The verified client certificate of a TLS listener's connection. */
    private Optional<PeerIdentity> peer = Optional.empty();
    /** Over its source's limits; the frontend answers with a refusal (DICOM: after reading the request). */
    private EndReason refusal;
    /** False while a frontend writes lines of its own for what the connection carried (http requests). */
    private boolean logLine = true;
    /** An http connection whose protocol is set up: it carries requests, each to a backend of its own. */
    private boolean serving;
    /** Why the connection was asked to wind down ({@link #drain}); null while it was not. */
    private EndReason draining;
    /** Set once by {@link #onDrain}; null for protocols without a clean point to stop at. */
    private Consumer<EndReason> drainHook;

    /**
     * Made by the listener ({@link ListenerContext#open}), which is its {@code owner}.
     *
     * @param id unique within the process, for operators ({@link #view}, {@link #endByOperator})
     */
    public ProxyConnection(long id, Channel client, ListenerContext listener, ConnectionOwner owner, AccessLog accessLog) {
        this.id = id;
        this.client = client;
        this.listener = listener;
        this.owner = owner;
        this.accessLog = accessLog;
        this.record = new ConnectionRecord(listener.config().name(), listener.config().mode().label(),
                (InetSocketAddress) client.remoteAddress());
        listener.meters().accepted.increment();
        listener.meters().active.incrementAndGet();
        client.closeFuture().addListener(f -> channelClosed());
    }

    /** The certificate the client presented in its TLS handshake, verified; empty without TLS or certificate. */
    public Optional<PeerIdentity> peer() {
        return peer;
    }

    public void peer(Optional<PeerIdentity> p) {
        this.peer = p;
    }

    /**
     * Why the listener refuses this connection after all (it is over its source's limits), for
     * a frontend that answers first (a DICOM client gets A-ASSOCIATE-RJ); null when it is not refused.
     */
    public EndReason refusal() {
        return refusal;
    }

    public void refuseAfterRequest(EndReason reason) {
        this.refusal = reason;
    }

    /** Refused at accept: counted and logged with {@code reason}; the caller closes the channel. */
    public void refusedAtAccept(EndReason reason) {
        record.end(reason);
        listener.meters().rejected(reason.label());
    }

    /** The listener let this connection start (it counts against max-connections). Event loop only. */
    public void admitted() {
        this.admitted = true;
    }

    public long id() {
        return id;
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
        this.backendMeters = listener.metrics().backend(e.backend());
        backendMeters.connections.increment();
        record.endpoint(e);
        ch.closeFuture().addListener(f -> channelClosed());
        if (!client.isActive()) {
            close(EndReason.CLIENT_ABORTED);
        }
    }

    /**
     * Client bytes that arrived before the relay started (a frontend reads nothing on purpose, but
     * an early FIN makes the transport read what came with it). Kept, in order, and sent to the
     * backend before anything else. Event loop only; takes ownership of {@code bytes}.
     */
    public void holdClientBytes(ByteBuf bytes) {
        if (finished || heldBytes + (long) bytes.readableBytes() > MAX_HELD_BYTES) {
            bytes.release();
            if (!finished) {
                close(EndReason.CLIENT_ERROR);
            }
            return;
        }
        if (held == null) {
            held = new ArrayList<>();
        }
        heldBytes += bytes.readableBytes();
        held.add(bytes);
    }

    /** The client half-closed before the relay started; the FIN goes to the backend after its bytes. */
    public void clientEndedEarly() {
        clientEndedEarly = true;
    }

    /** Switches both channels to byte relaying; handshake handlers must already be gone. */
    public void startRelay() {
        relaying = true;
        idleNanos = listener.config().timeouts().idle().toNanos();
        lastActivityNanos = System.nanoTime();
        idleTimer = client.eventLoop().schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
        client.pipeline().addLast("relay", new RelayHandler(this, true));
        backend.pipeline().addLast("relay", new RelayHandler(this, false));
        if (held != null) {
            for (ByteBuf b : held) {
                relayed(true, b.readableBytes());
                backend.write(b, backend.voidPromise());
            }
            held = null;
            backend.flush();
        }
        if (clientEndedEarly) {
            inputShutdown(true);
        } else {
            client.read();
        }
        backend.read();
    }

    /** Closes the connection when no byte moved for the idle timeout; otherwise checks again later. */
    private void checkIdle() {
        if (finished || !client.isOpen()) {
            return;
        }
        long quiet = System.nanoTime() - lastActivityNanos;
        if (quiet >= idleNanos) {
            close(EndReason.IDLE_TIMEOUT);
        } else {
            idleTimer = client.eventLoop().schedule(this::checkIdle, idleNanos - quiet, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Runs {@code hook} once when the connection has fully ended, just before its access-log line
     * is written: a protocol frontend adds its last fields and records its meters there.
     */
    public void onFinish(Runnable hook) {
        this.finishing = hook;
    }

    /**
     * Whether this connection's own access-log line is written when it ends. An http frontend
     * writes one line per request and turns it off once its first request begins; a connection that
     * carried no request (a failed TLS handshake, a client that never spoke) or that became a
     * byte tunnel (a WebSocket after its upgrade) keeps it. Event loop only.
     */
    public void logConnection(boolean on) {
        this.logLine = on;
    }

    /**
     * An http frontend has set up its protocol: the connection carries requests (each logged and
     * sent to a backend on its own), shown as {@code serving} to operators. Event loop only.
     */
    public void serving() {
        this.serving = true;
    }

    /**
     * What the protocol frontend adds to the operator's view and how it ends the connection for
     * an operator; set once, at the start.
     */
    public void protocol(OperatorHooks h) {
        this.hooks = h;
    }

    /**
     * dicomlb is stopping, or a reload removed the connection's listener: the connection is asked
     * to end at its protocol's next clean point (http: once the request in progress is answered)
     * instead of running on until the shutdown grace cuts it. A protocol without such a point
     * (tcp, dicom: the bytes or the association are the client's) sets no hook and runs on until
     * its peers end it or the grace runs out. {@code why} is the access log's {@code end} should
     * it end for this. Event loop only; the first call counts.
     */
    public void drain(EndReason why) {
        if (draining != null || finished) {
            return;
        }
        draining = why;
        if (drainHook != null) {
            drainHook.accept(why);
        }
    }

    /**
     * How the protocol winds the connection down when asked ({@link #drain}): at once if it was
     * asked before the protocol was set up (accepted just before the listener closed, or still in
     * its TLS handshake). Set once. Event loop only.
     */
    public void onDrain(Consumer<EndReason> hook) {
        this.drainHook = hook;
        if (draining != null && !finished) {
            hook.accept(draining);
        }
    }

    /** True once the relay runs (a DICOM association: after the AC went to the client). Event loop only. */
    public boolean relaying() {
        return relaying;
    }

    /** True once the connection has ended and been logged. Event loop only. */
    public boolean finished() {
        return finished;
    }

    /** The connection as an operator sees it now. Event loop only. */
    public LiveConnection view() {
        String state = clientClosing || finished ? "closing" : !admitted ? "waiting" : relaying ? "relaying"
                : serving ? "serving" : "connecting";
        return new LiveConnection(id, record.listener(), record.mode(), state, record.clientText(),
                record.pool(), endpoint == null ? null : endpoint.name(),
                endpoint == null ? null : endpoint.addressText(), record.start(),
                record.durationNanos() / 1_000_000, record.bytesIn(), record.bytesOut(),
                hooks == null ? null : hooks.association());
    }

    /**
     * Ends the connection because an operator asked ({@code end=admin_close}), the protocol's way
     * when it has one. {@code done} gets what was done, or null when the connection had already
     * ended. Event loop only.
     */
    public void endByOperator(Consumer<OperatorClose> done) {
        if (finished) {
            done.accept(null);
            return;
        }
        LiveConnection before = view();
        if (hooks != null) {
            hooks.endByOperator(before, done);
            return;
        }
        close(EndReason.ADMIN_CLOSE);
        done.accept(new OperatorClose(before, false, "connection closed"));
    }

    /** Relaying never started: the connection failed for {@code reason}; close the client. */
    public void fail(EndReason reason) {
        record.end(reason);
        listener.meters().rejected(reason.label());
        closeClient();
    }

    /** Ends the connection now (flushing what is queued), for {@code reason} unless one is set. */
    public void close(EndReason reason) {
        record.end(reason);
        closeClient();
        closeBackend();
    }

    /** Counts bytes passed between the sides: by the relay, and by a frontend during its handshake. */
    public void relayed(boolean fromClient, int bytes) {
        lastActivityNanos = System.nanoTime();
        if (fromClient) {
            record.addIn(bytes);
            unmeteredIn += bytes;
        } else {
            record.addOut(bytes);
            unmeteredOut += bytes;
        }
        if (unmeteredIn + unmeteredOut >= METER_BATCH) {
            flushMeters();
        }
    }

    private void flushMeters() {
        if (unmeteredIn > 0) {
            listener.meters().bytesIn.increment(unmeteredIn);
            backendMeters.bytesIn.increment(unmeteredIn);
            unmeteredIn = 0;
        }
        if (unmeteredOut > 0) {
            listener.meters().bytesOut.increment(unmeteredOut);
            backendMeters.bytesOut.increment(unmeteredOut);
            unmeteredOut = 0;
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
        if (clientInputDone && backendInputDone) {
            close(record.end());
            return;
        }
        Channel peer = peerOf(clientSide);
        if (!(peer instanceof DuplexChannel d) || !peer.isActive() || d.isOutputShutdown()) {
            return;
        }
        if (nothingPending(peer)) {
            TlsChannels.shutdownOutput(d);
        } else {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    close(clientSide ? EndReason.BACKEND_ERROR : EndReason.CLIENT_ERROR);
                } else if (!d.isOutputShutdown()) {
                    TlsChannels.shutdownOutput(d);
                }
            });
        }
    }

    /** A side closed or failed: the other side cannot continue alone. */
    void sideClosed(boolean clientSide) {
        record.end(clientSide ? EndReason.CLIENT_CLOSE : EndReason.BACKEND_CLOSE);
        if (clientSide) {
            closeBackend();
        } else {
            closeClient();
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
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        if (endpoint != null) {
            flushMeters();
            endpoint.release();
        }
        record.end(EndReason.CLIENT_CLOSE);
        if (finishing != null) {
            finishing.run();
        }
        if (held != null) {
            held.forEach(ByteBuf::release);
            held = null;
        }
        listener.meters().active.decrementAndGet();
        listener.meters().duration.record(record.durationNanos(), TimeUnit.NANOSECONDS);
        if (logLine) {
            accessLog.write(record);
        }
        owner.ended(this, admitted);
    }

    private void closeClient() {
        if (!clientClosing) {
            clientClosing = true;
            closeAfterPending(client);
        }
    }

    private void closeBackend() {
        if (backend != null && !backendClosing) {
            backendClosing = true;
            closeAfterPending(backend);
        }
    }

    /**
     * Closes once everything already queued has been written (the Netty proxy example's
     * closeOnFlush), directly when nothing is queued or the output is already shut.
     */
    private static void closeAfterPending(Channel ch) {
        if (!ch.isOpen()) {
            return;
        }
        if (!ch.isActive() || nothingPending(ch) || (ch instanceof DuplexChannel d && d.isOutputShutdown())) {
            ch.close();
        } else {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static boolean nothingPending(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out == null || out.totalPendingWriteBytes() == 0;
    }
}

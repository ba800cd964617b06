package org.dicomlb.engine.http;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.BackendKeepAlive;
import org.dicomlb.engine.config.HttpMode;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.tls.TlsChannels;

/**
 * One client connection of an http listener (HTTP/1.1, or HTTP/2 with its streams): what its
 * requests share. Confined to the connection's event loop.
 *
 * <p>Backend connections of pools with {@code proxy-protocol} carry this client's address in
 * their PROXY header, so they are kept for this client alone (a few, closed with it) rather than
 * in the event loop's shared cache.
 */
final class ClientSession {
    /** Kept backend connections of PROXY-protocol pools, per client connection. */
    static final int MAX_PRIVATE = 8;

    final ListenerContext listener;
    final HttpShared shared;
    final ProxyConnection connection;
    final Channel channel;
    final boolean tls;
    /**
     * The connection's {@code tls} and {@code client_cert} access-log fields, which each request's
     * line repeats: set with the handshake, before the connection reached the frontend, so read once.
     */
    final String tlsField;
    final String clientCertField;
    /** {@code HTTP/1.1} or {@code HTTP/2.0}, as the access log shows it. */
    final String protocol;
    private final ListenerConfig initial;
    private final List<BackendHandler> privateIdle = new ArrayList<>();
    private int requests;
    private Headers.ClientForwarding forwarding;

    ClientSession(ListenerContext listener, HttpShared shared, ProxyConnection connection, ListenerConfig initial,
                  String protocol) {
        this.listener = listener;
        this.shared = shared;
        this.connection = connection;
        this.channel = connection.client();
        this.tls = TlsChannels.session(channel).isPresent();
        this.tlsField = tls ? connection.record().field("tls") : null;
        this.clientCertField = tls ? connection.record().field("client_cert") : null;
        this.initial = initial;
        this.protocol = protocol;
    }

    /**
     * The listener's configuration for the next request: the current one, so a reload's new
     * routes and rules apply to the next request on an open connection, unless the reload changed
     * the listener's mode (then this connection keeps what it started with).
     */
    ListenerConfig config() {
        ListenerConfig c = listener.config();
        return c.mode() instanceof HttpMode ? c : initial;
    }

    /** The mode settings the connection started with (codec limits, HTTP/2 windows). */
    HttpMode initialMode() {
        return (HttpMode) initial.mode();
    }

    /** The client: the connection's peer, or the one a trusted PROXY header named. */
    InetSocketAddress client() {
        return connection.record().client();
    }

    /** The forwarded fields' view of the client, remade only if the client changed (a PROXY header). */
    Headers.ClientForwarding forwarding() {
        InetSocketAddress c = client();
        if (forwarding == null || forwarding.address != c) {
            forwarding = new Headers.ClientForwarding(c, scheme());
        }
        return forwarding;
    }

    String scheme() {
        return tls ? "https" : "http";
    }

    /**
     * The next request's number on this connection, from 1. From the first on, the connection's
     * own access-log line is not needed: a request's record always ends in a line of its own, one
     * cut off with its connection too, so a connection cut during its first request (the shutdown
     * grace ran out, the client left) is not logged twice.
     */
    int nextRequest() {
        if (requests == 0) {
            connection.logConnection(false);
        }
        return ++requests;
    }

    /** An idle connection of this client's own to {@code e}, or null. */
    Channel takePrivate(Endpoint e) {
        for (int i = privateIdle.size() - 1; i >= 0; i--) {
            BackendHandler h = privateIdle.get(i);
            if (h.endpoint() == e) {
                privateIdle.remove(i);
                if (h.channel().isActive()) {
                    return h.channel();
                }
            }
        }
        return null;
    }

    /** Keeps a backend connection carrying this client's PROXY header; false when it cannot be kept. */
    boolean keepPrivate(BackendHandler h, BackendKeepAlive keep, long now) {
        if (!channel.isActive() || privateIdle.size() >= Math.min(MAX_PRIVATE, keep.maxIdle())) {
            return false;
        }
        privateIdle.add(h);
        h.idle(keep.idleTimeout().toNanos(), this, now);
        return true;
    }

    void forget(BackendHandler h) {
        privateIdle.remove(h);
    }

    /** The client connection is gone: its own backend connections go too. */
    void closed() {
        for (BackendHandler h : List.copyOf(privateIdle)) {
            h.channel().close();
        }
        privateIdle.clear();
    }

    /**
     * Why a request still in progress is over now that the client connection is gone: dicomlb's
     * own reason when dicomlb ended the connection (the shutdown grace ran out, an operator, the
     * VIP left), else the client's leaving.
     */
    EndReason lostBecause() {
        EndReason r = connection.record().end();
        return r == EndReason.SHUTDOWN || r == EndReason.ADMIN_CLOSE || r == EndReason.VIP_LEFT ? r : EndReason.CLIENT_ABORTED;
    }

    /** Ends the client connection once what is queued has been written. */
    void close(EndReason reason) {
        connection.close(reason);
    }
}

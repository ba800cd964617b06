package org.dicomlb.engine.dial;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.dicomlb.engine.access.ConnectionRecord;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.ListenerContext;

/**
 * Who a {@link Dialer} finds a backend for: a whole client connection (tcp and dicom listeners,
 * {@link Dialer#dial(org.dicomlb.engine.relay.ProxyConnection, Pool, Handshake, Dialer.Outcome)}),
 * or one request of a client connection (http listeners), which may also bring a first choice
 * (persistence) and kept-alive backend connections. Called on the client connection's event loop.
 */
public interface Caller {
    /**
     * The client's TCP connection: the backend channel is made on its event loop, with its
     * transport; its local address is the address the client connected to.
     */
    Channel connection();

    /** Whether a backend is still wanted (the client has not left meanwhile). */
    boolean waiting();

    /** The client as backends should know it: balancing by source, the PROXY protocol header. */
    InetSocketAddress client();

    ListenerContext listener();

    /** Where the pool and the attempts are recorded. */
    ConnectionRecord record();

    /**
     * A backend took the request. From now on the backend channel and the slot acquired on
     * {@code endpoint} are the caller's; called just before {@link Dialer.Outcome#connected}.
     */
    void taken(Channel backend, Endpoint endpoint);

    /**
     * The endpoint to try first, with a slot acquired on it ({@link Endpoint#tryAcquire()}), or
     * null to let the pool's balancing choose. Asked once, for the first attempt only: when that
     * endpoint fails, the next is chosen by balancing.
     */
    default Endpoint firstChoice(Pool pool) {
        return null;
    }

    /**
     * An open connection to {@code endpoint}, made earlier on this event loop and idle now, to be
     * used instead of connecting (no connect, TLS or PROXY header; the handshake still runs), or
     * null to connect anew.
     */
    default Channel idle(Endpoint endpoint) {
        return null;
    }
}

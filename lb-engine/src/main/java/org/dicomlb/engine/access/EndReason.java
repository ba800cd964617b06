package org.dicomlb.engine.access;

import java.util.Locale;

/** How a connection ended: the {@code end=} field of the access log and a metric tag. */
public enum EndReason {
    /** The client closed (or half-closed and the backend finished) normally. */
    CLIENT_CLOSE,
    /** The backend closed first. */
    BACKEND_CLOSE,
    /** The client reset the connection or an I/O error happened on its side. */
    CLIENT_ERROR,
    /** The backend reset the connection or an I/O error happened on its side. */
    BACKEND_ERROR,
    /** No byte in either direction for the listener's idle timeout. */
    IDLE_TIMEOUT,
    /** No backend was eligible (all down, drained or in maintenance). */
    NO_BACKEND,
    /** Every backend tried refused or timed out the connect. */
    ALL_BACKENDS_FAILED,
    /** Every eligible backend was full and the pool's queue was full or disabled. */
    QUEUE_FULL,
    /** The connection waited in the pool's queue for longer than its timeout. */
    QUEUE_TIMEOUT,
    /** The listener was at its max-connections. */
    MAX_CONNECTIONS,
    /** The client's source (address or subnet) had its {@code source-limits} connections open. */
    SOURCE_CONNECTIONS,
    /** The client's source opened connections faster than its {@code source-limits} rate. */
    SOURCE_RATE,
    /** The client's TLS handshake failed (no or an untrusted certificate, no common suite, timeout ...). */
    TLS_HANDSHAKE,
    /**
     * dicomlb could not open a backend connection for a reason of its own (out of file
     * descriptors); not counted against any backend.
     */
    LOCAL_RESOURCES,
    /** The client went away before a backend was connected. */
    CLIENT_ABORTED,
    /** The backend was marked down and its pool has {@code on-down: shutdown}. */
    BACKEND_DOWN,
    /** The backend's address left its DNS answer and the backend has {@code on-change: shutdown}. */
    ADDRESS_CHANGED,
    /**
     * The connection was accepted on the VIP, and the VIP moved to the peer appliance: the client's
     * packets reach the peer now, so the connection (and its backend association) cannot continue.
     */
    VIP_LEFT,
    /**
     * dicomlb stopped: its drain grace period ran out, or (http) the connection was between
     * requests, or its last HTTP/2 stream had ended, once the drain began.
     */
    SHUTDOWN,
    /**
     * http: a reload removed the listener, and the connection was between requests (HTTP/2: its
     * last stream had ended) once it had been told so.
     */
    LISTENER_REMOVED,
    /**
     * An operator closed it ({@code dicomlb connections --close}); a DICOM association was sent
     * an A-ABORT first.
     */
    ADMIN_CLOSE,
    /** Protocol-level refusal or abort decided by dicomlb (detail in other fields). */
    PROTOCOL,
    /** http: the request was answered in full (its response ended; the connection may go on). */
    COMPLETE,
    /** http: the client did not send its request's headers, or stalled in its body, within the timeout (408). */
    REQUEST_TIMEOUT,
    /** http: the backend did not answer within {@code timeouts.response} of the request having been sent (504). */
    RESPONSE_TIMEOUT,
    /** A connection from a trusted upstream did not start with a valid PROXY protocol header. */
    PROXY_HEADER;

    /** Spelled once: every access-log line and several meters ask for it. */
    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower snake case spelling used in logs and metric tags. */
    public String label() {
        return label;
    }
}

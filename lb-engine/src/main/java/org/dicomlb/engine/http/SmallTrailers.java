package org.dicomlb.engine.http;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * The trailers the HTTP/1.1 decoders make: Netty's trailers (the same validation, which keeps
 * framing fields out of them) in its smallest table. A decoder gives every message with a body a
 * last part holding trailers, made with the table of a full header block (16 buckets), and on
 * nearly every message they stay empty; a message that has trailers still keeps them all, in a
 * smaller table.
 */
enum SmallTrailers implements HttpHeadersFactory {
    INSTANCE;

    private static final DefaultHttpHeadersFactory NETTY = DefaultHttpHeadersFactory.trailersFactory();

    @Override
    public HttpHeaders newHeaders() {
        return NETTY.newEmptyHeaders();
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
        return NETTY.newEmptyHeaders();
    }
}

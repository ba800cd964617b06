package org.dicomlb.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The answers dicomlb gives itself (docs/http.md, "Error statuses"): the status, and a one-line
 * plain-text body naming the status and why, e.g. {@code 503 Service Unavailable: no backend is
 * available}, so whoever reads a browser page or a curl output can tell dicomlb's answer from a
 * backend's. Never cached.
 */
final class LocalResponses {
    private LocalResponses() {
    }

    /** @param close whether the connection closes after it (HTTP/1.1 {@code Connection: close}) */
    static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, String why, boolean close) {
        byte[] text = (status.code() + " " + status.reasonPhrase() + ": " + why + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(text.length).writeBytes(text);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }
}

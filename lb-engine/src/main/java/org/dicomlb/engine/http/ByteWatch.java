package org.dicomlb.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * In front of the HTTP/1.1 codec: notes when the first byte of a request arrives, which the codec
 * does not tell. Until then a kept-alive connection is idle (closed quietly after
 * {@code timeouts.keep-alive}); from then on its headers must be complete within
 * {@code timeouts.request}, or the client gets 408.
 */
final class ByteWatch extends ChannelInboundHandlerAdapter {
    static final String NAME = "http-first-byte";

    private boolean armed;
    private long firstByteAt;

    /** Watch for the first byte of the next request. */
    void arm() {
        armed = true;
        firstByteAt = 0;
    }

    /** A request is in; stop watching. */
    void disarm() {
        armed = false;
    }

    /** When the first byte of the awaited request arrived, or 0 when none has. */
    long firstByteAt() {
        return firstByteAt;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (armed && msg instanceof ByteBuf b && b.isReadable()) {
            armed = false;
            firstByteAt = System.nanoTime();
        }
        ctx.fireChannelRead(msg);
    }
}

package org.dicomlb.tls;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Sits right behind an {@link io.netty.handler.ssl.SslHandler} on a channel with AUTO_READ off
 * and makes the decrypted stream behave as the socket does for the handlers behind it: bytes,
 * and the peer's FIN, reach them only after they asked with {@code read()}.
 *
 * <p>The SslHandler reads on its own while it handshakes, and may read once more as the
 * handshake ends, so plaintext can arrive before anyone asked: a DICOM client sends its
 * A-ASSOCIATE-RQ right behind its TLS Finished, while the listener may still be holding the
 * connection at {@code max-connections}. What arrives unasked is held here, in order, and
 * delivered on the next {@code read()}; it is bounded by what one socket read decrypts to.
 */
public final class TlsReadGate extends ChannelDuplexHandler {
    public static final String NAME = "tls-read-gate";

    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** The handlers behind asked for data and have not had any since. */
    private boolean wanted;
    /** Something went through in the current read cycle. */
    private boolean passed;

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!held.isEmpty()) {
            while (!held.isEmpty()) {
                Object o = held.poll();
                if (o instanceof Event e) {
                    ctx.fireUserEventTriggered(e.event());
                } else {
                    ctx.fireChannelRead(o);
                }
            }
            ctx.fireChannelReadComplete();
            return;
        }
        wanted = true;
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (wanted && held.isEmpty()) {
            passed = true;
            ctx.fireChannelRead(msg);
        } else {
            held.add(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (passed) {
            passed = false;
            wanted = false;
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        boolean endOfInput = evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete
                || evt instanceof SslCloseCompletionEvent;
        if (!endOfInput || (wanted && held.isEmpty())) {
            if (endOfInput) {
                passed = true;
            }
            ctx.fireUserEventTriggered(evt);
        } else {
            held.add(new Event(evt));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        while (!held.isEmpty()) {
            Object o = held.poll();
            if (!(o instanceof Event)) {
                ReferenceCountUtil.release(o);
            }
        }
    }

    /** A held user event, kept apart from held data. */
    private record Event(Object event) {
    }
}

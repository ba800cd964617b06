package org.dicomlb.healthcheck.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.config.HttpProbe;
import org.dicomlb.healthcheck.internal.Failures;

/**
 * Sends the request, judges the status line, and if a body text is expected searches at most
 * {@link HttpProbe#MAX_BODY_BYTES} of the body for it, so a huge or endless body costs bounded
 * memory. Completes {@code result} once; the check closes the channel then.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {
    private final HttpProbe probe;
    private final CompletableFuture<CheckResult> result;
    private FullHttpRequest request;
    private ByteBuf needle;
    private ByteBuf body;
    private int status;

    ResponseHandler(HttpProbe probe, FullHttpRequest request, CompletableFuture<CheckResult> result) {
        this.probe = probe;
        this.request = request;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        FullHttpRequest r = request;
        request = null;
        ctx.writeAndFlush(r).addListener(f -> {
            if (!f.isSuccess()) {
                result.complete(CheckResult.failure(Failures.describe(f.cause())));
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (result.isDone()) {
                return;
            }
            if (msg instanceof HttpResponse response) {
                onHead(response);
            }
            if (msg instanceof HttpContent content && body != null) {
                onContent(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            result.complete(CheckResult.failure("invalid HTTP response: " + Failures.describe(response.decoderResult().cause())));
            return;
        }
        status = response.status().code();
        if (!probe.accepts(status)) {
            result.complete(CheckResult.failure("HTTP " + status + " (expected " + probe.expectedText() + ")"));
        } else if (probe.expectBody().isEmpty()) {
            result.complete(CheckResult.success("HTTP " + status));
        } else {
            needle = Unpooled.wrappedBuffer(probe.expectBody().get().getBytes(StandardCharsets.UTF_8));
            body = Unpooled.buffer(Math.min(4096, HttpProbe.MAX_BODY_BYTES), HttpProbe.MAX_BODY_BYTES);
        }
    }

    private void onContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            result.complete(CheckResult.failure("invalid HTTP body: " + Failures.describe(content.decoderResult().cause())));
            return;
        }
        // Search only where the text could newly end, so each byte is looked at about once.
        int from = Math.max(0, body.readableBytes() - needle.readableBytes() + 1);
        ByteBuf in = content.content();
        body.writeBytes(in, in.readerIndex(), Math.min(in.readableBytes(), body.maxWritableBytes()));
        if (ByteBufUtil.indexOf(needle, body.slice(from, body.readableBytes() - from)) >= 0) {
            result.complete(CheckResult.success("HTTP " + status + ", body contains '" + probe.expectBody().get() + "'"));
        } else if (content instanceof LastHttpContent || body.maxWritableBytes() == 0) {
            result.complete(CheckResult.failure("HTTP " + status + " but the body does not contain '"
                    + probe.expectBody().get() + "' (searched " + body.readableBytes() + " bytes)"));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
            result.complete(CheckResult.failure(Failures.describe(e.cause())));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        result.complete(CheckResult.failure(status == 0
                ? "connection closed before a response" : "connection closed before the body was complete"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        result.complete(CheckResult.failure(Failures.describe(cause)));
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (request != null) {
            request.release();
            request = null;
        }
        if (body != null) {
            body.release();
            body = null;
        }
    }
}

package org.dicomlb.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * The HTTP/1.1 codec of a backend connection, which carries one request at a time: Netty's
 * request encoder and response decoder, plus what a reused connection needs to be safe.
 *
 * <ul>
 *   <li>A byte the backend sends while no request is waiting for its answer (beyond a response's
 *       end, in the same read or later) makes the connection {@link #overrun}: it is never given
 *       to another request, whose response those bytes would otherwise start (a response's head
 *       that another client would get). Netty's decoder keeps an incomplete head to itself, so
 *       nothing downstream could see it.</li>
 *   <li>The response to a HEAD has no body whatever its framing fields say.</li>
 *   <li>A status outside 100-599 is not HTTP: the response is invalid (502 for the client).</li>
 *   <li>A 101 has no body, and what follows it is bytes, whatever its fields say.</li>
 * </ul>
 */
final class BackendCodec extends CombinedChannelDuplexHandler<BackendCodec.Decoder, BackendCodec.Encoder> {
    /** The method of the request on the connection (a HEAD's response has no body). */
    private HttpMethod method;
    /** A request was sent and its final response has not ended yet. */
    private boolean waiting;
    private boolean overrun;

    BackendCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    /** The backend sent bytes no request asked for: the connection must not serve another request. */
    boolean overrun() {
        return overrun;
    }

    final class Encoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest r) {
                method = r.method();
                waiting = true;
            }
            super.encode(ctx, msg, out);
        }
    }

    final class Decoder extends HttpResponseDecoder {
        /** The head being decoded is a 1xx one: the end that follows it is not the final response's. */
        private boolean interim;

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (!waiting && in.isReadable()) {
                overrun = true;
            }
            int from = out.size();
            super.decode(ctx, in, out);
            for (int i = from; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpResponse r) {
                    interim = r.status().code() < 200;
                }
                if (o instanceof LastHttpContent && !interim) {
                    waiting = false;
                }
            }
            if (!waiting && in.isReadable()) {
                overrun = true;
            }
        }

        @Override
        protected HttpMessage createMessage(String[] initialLine) {
            HttpMessage m = super.createMessage(initialLine);
            int code = ((HttpResponse) m).status().code();
            if (code < 100 || code > 599) {
                // Thrown here, the decoder turns it into an invalid response.
                throw new IllegalArgumentException("status " + code + " is not an HTTP status");
            }
            return m;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            int code = ((HttpResponse) msg).status().code();
            if (code >= 200 && HttpMethod.HEAD.equals(method)) {
                return true;
            }
            if (code == 101) {
                // A 1xx has no body (RFC 9110 section 15.2), but Netty reads one after a 101 that has
                // Upgrade: websocket and no Sec-WebSocket-Accept (a draft-76 handshake, which no
                // client of ours speaks): the tunnel's first bytes would be taken for it and lost.
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected boolean isSwitchingToNonHttp1Protocol(HttpResponse msg) {
            // Whatever its Upgrade names, the bytes behind a 101 are not responses: they are passed
            // on as bytes (a WebSocket's tunnel) or the connection is closed (a switch unasked).
            return msg.status().code() == 101;
        }
    }
}

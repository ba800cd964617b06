package org.dicomlb.io;

import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;

/**
 * Sends our FIN on a connection whose other direction stays open, at the cost of the system call.
 *
 * <p>Netty's {@code shutdownOutput()} builds a {@code ChannelOutputShutdownException}, stack trace
 * and all, to fail writes that might still be queued, and discards it when none are. A proxy
 * half-closes once per connection, after the peer's FIN, with nothing queued: on the epoll
 * transport that exception was one of four built per relayed DICOM association (JFR
 * {@code jdk.JavaExceptionThrow}). Here, when nothing is queued, the socket is shut down directly
 * (Netty's own socket object, so {@code isOutputShutdown()} stays true); otherwise, and on NIO,
 * Netty's path is taken.
 *
 * <p>Once our FIN is out, the peer's FIN ends the connection in both directions. The socket is then
 * already closed in the kernel (TIME_WAIT), and the {@code shutdown(SHUT_RD)} Netty makes for a
 * half-closing channel fails with ENOTCONN, a second exception built and dropped. Turning
 * half-closure off at this point makes that FIN close the channel instead: the handler sees
 * {@code channelInactive} where it would have seen the input-shutdown event followed by its own
 * close.
 */
public final class HalfClose {
    private HalfClose() {
    }

    public static void shutdownOutput(DuplexChannel ch) {
        if (ch.isOutputShutdown()) {
            return;
        }
        if (ch instanceof UnixChannel u && u.fd() instanceof Socket socket && nothingQueued(ch)) {
            try {
                socket.shutdown(false, true);
            } catch (IOException | RuntimeException e) {
                // Closed or reset underneath us: Netty's path fails the same way and closes.
                ch.shutdownOutput();
                return;
            }
        } else {
            ch.shutdownOutput();
        }
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
    }

    private static boolean nothingQueued(DuplexChannel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out != null && out.isEmpty() && out.totalPendingWriteBytes() == 0;
    }
}

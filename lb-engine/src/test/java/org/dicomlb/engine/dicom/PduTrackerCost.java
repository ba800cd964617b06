package org.dicomlb.engine.dicom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.engine.access.ConnectionRecord;

/**
 * The CPU cost of {@link PduTracker} alone, without sockets: 4 x 64 MiB of P-DATA-TF PDUs, cut
 * into 64 KiB reads as a socket would deliver them, through a pipeline with and without the
 * tracker. Not a test (it asserts nothing); run by hand, see docs/development.md.
 */
public final class PduTrackerCost {
    private static final int PASSES = 4;

    private PduTrackerCost() {
    }

    public static void main(String[] args) {
        int pduLength = args.length > 0 ? Integer.parseInt(args[0]) : 16_384;
        byte[] stream = pdataStream(64 << 20, pduLength);
        // Best of several rounds: the machine may be shared, and the fastest round is the least disturbed.
        long plain = Long.MAX_VALUE;
        long tracked = Long.MAX_VALUE;
        for (int round = 0; round < 12; round++) {
            plain = Math.min(plain, run(stream, false));
            tracked = Math.min(tracked, run(stream, true));
        }
        System.out.printf("P-DATA %6d octets, 64 KiB reads: pass-through %5.1f ms/GiB, with tracker %5.1f ms/GiB%n",
                pduLength, perGiB(plain, stream.length), perGiB(tracked, stream.length));
    }

    private static double perGiB(long nanos, int bytesPerPass) {
        return nanos / 1e6 / ((double) PASSES * bytesPerPass / (1L << 30));
    }

    private static byte[] pdataStream(int total, int pduLength) {
        byte[] out = new byte[total];
        for (int at = 0; at + pduLength <= total; at += pduLength) {
            out[at] = 0x04;
            int len = pduLength - PduCodec.HEADER_LENGTH;
            out[at + 2] = (byte) (len >>> 24);
            out[at + 3] = (byte) (len >>> 16);
            out[at + 4] = (byte) (len >>> 8);
            out[at + 5] = (byte) len;
        }
        return Arrays.copyOf(out, total - total % pduLength);
    }

    /** {@link #PASSES} passes over {@code stream}; returns nanoseconds. */
    private static long run(byte[] stream, boolean track) {
        Sink sink = new Sink();
        AssociationRecord a = new AssociationRecord(new ConnectionRecord("l", "dicom", new InetSocketAddress(1)));
        EmbeddedChannel ch = track ? new EmbeddedChannel(new PduTracker(a, true), sink) : new EmbeddedChannel(sink);
        long t0 = System.nanoTime();
        for (int pass = 0; pass < PASSES; pass++) {
            for (int at = 0; at < stream.length; at += 65_536) {
                ch.pipeline().fireChannelRead(Unpooled.wrappedBuffer(stream, at, Math.min(65_536, stream.length - at)));
            }
        }
        long took = System.nanoTime() - t0;
        ch.finishAndReleaseAll();
        if (sink.bytes != (long) PASSES * stream.length) {
            throw new IllegalStateException("lost bytes");
        }
        return took;
    }

    private static final class Sink extends ChannelInboundHandlerAdapter {
        long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            bytes += b.readableBytes();
            b.release();
        }
    }
}

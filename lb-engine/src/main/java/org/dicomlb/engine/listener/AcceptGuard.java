package org.dicomlb.engine.listener;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomlb.io.SystemErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on a listening socket's pipeline and turns a failed {@code accept} into a pause instead of
 * a spin: when the process (or the system) is out of file descriptors, accepting is held back
 * for {@link #BACK_OFF_MILLIS} and retried, with one warning per pause and a metric. Other accept
 * errors (a client that reset before we took it) are counted and otherwise ignored.
 */
@ChannelHandler.Sharable
final class AcceptGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptGuard.class);
    static final long BACK_OFF_MILLIS = 250;

    private final ListenerRuntime listener;
    private final AtomicLong lastWarning = new AtomicLong();

    AcceptGuard(ListenerRuntime listener) {
        this.listener = listener;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        boolean outOfDescriptors = SystemErrors.outOfDescriptors(cause);
        listener.meters().acceptFailed(outOfDescriptors ? "descriptors" : "other");
        if (!outOfDescriptors) {
            return;
        }
        listener.backOff(true);
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last > TimeUnit.SECONDS.toNanos(10) && lastWarning.compareAndSet(last, now)) {
            LOG.warn("listener '{}': accept failed, the process is out of file descriptors ({}); pausing accept for {} ms."
                    + " Raise the open-files limit (LimitNOFILE, ulimit -n) or lower max-connections",
                    listener.config().name(), cause.getMessage(), BACK_OFF_MILLIS);
        }
        ctx.executor().schedule(() -> listener.backOff(false), BACK_OFF_MILLIS, TimeUnit.MILLISECONDS);
    }
}

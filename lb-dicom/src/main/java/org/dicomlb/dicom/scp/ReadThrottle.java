package org.dicomlb.dicom.scp;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stops reading from a channel while too many received octets wait for the storage thread, so
 * a fast sender and a slow disk cannot fill the heap. {@link #queued} runs on the channel's
 * event loop; {@link #written} on the storage thread.
 */
final class ReadThrottle {
    private final Channel channel;
    private final long high;
    private final long low;
    private final AtomicLong pending = new AtomicLong();

    ReadThrottle(Channel channel, long high, long low) {
        this.channel = channel;
        this.high = high;
        this.low = low;
    }

    void queued(long octets) {
        if (pending.addAndGet(octets) > high && channel.config().isAutoRead()) {
            channel.config().setAutoRead(false);
        }
    }

    void written(long octets) {
        long after = pending.addAndGet(-octets);
        if (after < low && after + octets >= low) {
            try {
                channel.eventLoop().execute(this::resumeIfDrained);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The loop is shutting down; there is nothing left to resume.
            }
        }
    }

    private void resumeIfDrained() {
        // Re-checked on the loop: more may have been queued since the task was posted.
        if (pending.get() < low && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }
}

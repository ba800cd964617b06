package org.dicomlb.engine.relay;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

/** Socket settings both halves of a relay share: the client channel a listener accepts and the backend channel dialed for it. */
public final class RelayOptions {
    /** Water marks for both halves of a relay: bounded per-connection buffering. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    /**
     * Read sizes for both halves of a relay: adaptive from 512 B to 256 KiB. Netty's default
     * ceiling of 64 KiB costs bulk transfers (large DICOM instances) four times the system calls;
     * measured with iperf3 through a tcp listener, 256 KiB moved 5-35% more per second.
     */
    public static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 256 * 1024);

    /**
     * Buffers for both halves of a relay: Netty's pooled allocator, whose event-loop threads each
     * keep a cache of recently freed buffers. A relay's buffer is allocated and released by the
     * same event loop (read on one channel, written on its partner, which the dialer puts on the
     * same loop), so nearly every allocation is served from that cache without a lock or an atomic
     * operation. Netty 4.2's default, the adaptive allocator, is built for buffers shared among
     * many threads and paid for it here: through an http listener the pooled allocator took an
     * eighth less CPU a request (16.2 to 14.1 us in the benchmark), and bulk relays lost nothing,
     * with the same RSS after start and at 10,000 idle connections (docs/benchmarks.md, 2026-12-06
     * late afternoon). The admin API, health checks and DNS keep the default.
     */
    public static final ByteBufAllocator BUFFERS = PooledByteBufAllocator.DEFAULT;

    private RelayOptions() {
    }
}

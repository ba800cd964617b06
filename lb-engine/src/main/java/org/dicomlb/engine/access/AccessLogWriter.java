package org.dicomlb.engine.access;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access-log lines from one background thread, so event loops never touch a terminal or
 * a disk. Producers add each line, already in UTF-8 ({@link ConnectionRecord#line()}), to a
 * lock-free queue; the writer wakes every {@link #BUSY_LINGER_MILLIS} ms while lines keep coming
 * and every {@link #LINGER_MILLIS} ms once they stop (or early, when a burst has queued
 * {@link #WAKE_AT} lines), drains everything queued into a buffer, writes it with as few system
 * calls as it can and flushes. A connection costs its event loop no thread wake-up: waking the
 * writer for every line cost two futex calls and a context switch per connection.
 *
 * <p>Why the short cadence under load: a queued line is a live object when the young generation
 * is collected. At 40,000 requests a second, 100 ms of queue was 1.1 MB that every young
 * collection copied (and, overflowing the survivor space, promoted to the old generation): most
 * of each pause. Drained every few milliseconds, the queue is a few dozen kilobytes.
 *
 * <p>The queue is bounded ({@link #CAPACITY} lines). A disk that cannot keep up with that much
 * backlog is broken: lines beyond it are counted in {@link #dropped()} (exported as a metric and
 * warned about) rather than stalling the event loops that carry patient traffic.
 *
 * <p>{@link #reopen()} closes and reopens a file target, for log rotation (logrotate moves the
 * file, then dicomlb is sent SIGHUP).
 */
public final class AccessLogWriter implements AccessLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
    static final int CAPACITY = 65_536;
    static final int WAKE_AT = 1024;
    /** The writer's sleep when the last wake found nothing to write. */
    static final long LINGER_MILLIS = 100;
    /** The writer's sleep while lines are coming. */
    static final long BUSY_LINGER_MILLIS = 5;
    private static final int BUFFER = 64 * 1024;

    private final Path file;
    private final int capacity;
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean sleeping;
    private volatile boolean reopen;
    private volatile boolean closing;
    private OutputStream out;
    private long droppedReported;

    /** @param file where to append, or null for stdout */
    public AccessLogWriter(Path file) throws IOException {
        this(file, CAPACITY);
    }

    AccessLogWriter(Path file, int capacity) throws IOException {
        this.file = file;
        this.capacity = capacity;
        this.out = open();
        this.writer = Thread.ofPlatform().daemon().name("dicomlb-access-log").start(this::run);
    }

    private OutputStream open() throws IOException {
        return file == null ? new FileOutputStream(FileDescriptor.out) : new FileOutputStream(file.toFile(), true);
    }

    @Override
    public void write(ConnectionRecord record) {
        offer(record.line());
    }

    /** A line of text (without its end), for tools and tests. */
    public void accept(String line) {
        offer(line.getBytes(StandardCharsets.UTF_8));
    }

    private void offer(byte[] line) {
        int n = queued.incrementAndGet();
        if (n > capacity) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.add(line);
        if (n == WAKE_AT && sleeping) {
            LockSupport.unpark(writer);
        }
    }

    /** Lines not written because the queue was full, since start. */
    public long dropped() {
        return dropped.get();
    }

    /** Reopens the file (after rotation); a no-op for stdout. */
    public void reopen() {
        reopen = true;
        LockSupport.unpark(writer);
    }

    private void run() {
        byte[] buf = new byte[BUFFER];
        int len = 0;
        boolean busy = false;
        while (true) {
            byte[] bytes = queue.poll();
            if (bytes == null) {
                len = write(buf, len);
                flush();
                if (closing) {
                    return;
                }
                if (reopen) {
                    reopenNow();
                }
                reportDrops();
                sleeping = true;
                if (!closing && !reopen) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(busy ? BUSY_LINGER_MILLIS : LINGER_MILLIS));
                }
                sleeping = false;
                busy = false;
                continue;
            }
            busy = true;
            queued.decrementAndGet();
            if (len + bytes.length + 1 > buf.length) {
                len = write(buf, len);
            }
            if (bytes.length + 1 > buf.length) {
                write(bytes, bytes.length);
            } else {
                System.arraycopy(bytes, 0, buf, len, bytes.length);
                len += bytes.length;
            }
            buf[len++] = '\n';
        }
    }

    private int write(byte[] buf, int len) {
        if (len > 0) {
            try {
                out.write(buf, 0, len);
            } catch (IOException e) {
                LOG.error("access log write failed ({}); {} bytes of log lines lost", e.toString(), len);
            }
        }
        return 0;
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            LOG.error("access log flush failed: {}", e.toString());
        }
    }

    private void reopenNow() {
        reopen = false;
        if (file == null) {
            return;
        }
        try {
            OutputStream fresh = open();
            out.close();
            out = fresh;
            LOG.info("access log reopened: {}", file);
        } catch (IOException e) {
            LOG.error("access log {} cannot be reopened ({}); still writing to the old file", file, e.toString());
        }
    }

    private void reportDrops() {
        long d = dropped.get();
        if (d > droppedReported) {
            LOG.warn("access log could not keep up: {} line(s) dropped so far", d);
            droppedReported = d;
        }
    }

    /** Writes what is queued, then stops the writer thread. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (file != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing on shutdown
            }
        }
    }
}

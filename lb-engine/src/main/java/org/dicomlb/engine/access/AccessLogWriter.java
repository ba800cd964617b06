package org.dicomlb.engine.access;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access-log lines from one background thread, so event loops never touch a terminal or
 * a disk. Each producing thread (an event loop) has a lane: a 64 KiB chunk it copies its lines
 * into, already in UTF-8. The writer wakes every {@link #BUSY_LINGER_MILLIS} ms while lines keep
 * coming and every {@link #LINGER_MILLIS} ms once they stop (or early, when a lane has filled a
 * chunk), takes each lane's filled chunks and the one being filled, and writes each with one
 * system call. A connection costs its event loop no thread wake-up (waking the writer for every
 * line cost two futex calls and a context switch per connection) and no allocation: the chunks go
 * round.
 *
 * <p>No lock between a lane and the writer: the chunk being filled is handed over by an atomic
 * swap. The lane's thread takes it out of its slot while it appends and puts it back after; the
 * writer swaps an empty slot in, and finds the slot empty (and leaves the chunk for its next
 * wake) while the thread is appending. With a lock the two shared, an event loop that met the
 * writer's thread preempted inside it waited for the scheduler to run that thread again: 3.7 ms
 * once in a minute of load on two busy cores (JFR {@code jdk.JavaMonitorEnter},
 * docs/benchmarks.md).
 *
 * <p>Why lanes rather than one queue of lines: a queued line was an array of its own and a queue
 * node, allocated on the event loop; two shared counters moved between the cores with every line;
 * and the writer copied every line once more. At 40,000 requests a second that was 9% of the
 * event loops' garbage (344 of 3,680 bytes a request) and 0.2 µs of the writer's CPU per request
 * (docs/benchmarks.md). Lines of one event loop keep their order (chunks carry their lane's
 * sequence number); lines of different event loops interleave chunk by chunk, so the file may be
 * out of time order by a few milliseconds (every line carries its own time).
 *
 * <p>The chunks are reused, so after the first seconds they live in the old generation and a
 * young collection copies none of the lines waiting in them (a queue of separate lines had been
 * most of what every young collection copied). The cadence is therefore a matter of how soon
 * lines reach the file and how often the writer's thread wakes: at full load, lanes fill a chunk
 * every 10 to 20 ms and wake it themselves.
 *
 * <p>The lines held are bounded ({@link #MAX_CHUNKS} chunks, 16 MiB). A disk that cannot keep up
 * with that much backlog is broken: lines beyond it are counted in {@link #dropped()} (exported
 * as a metric and warned about) rather than stalling the event loops that carry patient traffic.
 *
 * <p>{@link #reopen()} closes and reopens a file target, for log rotation (logrotate moves the
 * file, then dicomlb is sent SIGHUP).
 */
public final class AccessLogWriter implements AccessLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
    static final int CHUNK = 64 * 1024;
    static final int MAX_CHUNKS = 256;
    /** Empty chunks kept for reuse; more are left to the collector (after a burst, idle memory goes back). */
    private static final int SPARES = 4;
    /** The writer's sleep when the last wake found nothing to write. */
    static final long LINGER_MILLIS = 100;
    /** The writer's sleep while lines are coming. */
    static final long BUSY_LINGER_MILLIS = 20;
    private static final Comparator<Chunk> BY_SEQ = Comparator.comparingLong(c -> c.seq);

    private final Path file;
    private final int chunkBytes;
    private final int maxChunks;
    private final ThreadLocal<Lane> lane = ThreadLocal.withInitial(this::newLane);
    private final List<Lane> lanes = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Chunk> spares = new ConcurrentLinkedQueue<>();
    /** Chunks in existence: in lanes, being written, or spare. */
    private final AtomicInteger chunks = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean sleeping;
    private volatile boolean reopen;
    private volatile boolean closing;
    private OutputStream out;
    private long droppedReported;

    /** One producing thread's lines: only that thread appends; the writer takes. */
    private static final class Lane {
        final Thread owner;
        /** Chunks filled, oldest first: the owner adds, the writer polls. */
        final ConcurrentLinkedQueue<Chunk> filled = new ConcurrentLinkedQueue<>();
        /**
         * The chunk being filled. Empty while the owner appends to it (it holds it meanwhile), before
         * its first line, and after the writer took it.
         */
        final AtomicReference<Chunk> open = new AtomicReference<>();
        /** The owner's count of chunks started, for their order; only the owner reads or writes it. */
        long started;

        Lane(Thread owner) {
            this.owner = owner;
        }
    }

    /**
     * Lines, each with its end, in the first {@code length} bytes. The owner writes {@code length};
     * the writer reads it after taking the chunk from the lane's slot or queue, which publish it.
     */
    static final class Chunk {
        final byte[] bytes;
        int length;
        /** Its place among its lane's chunks. */
        long seq;

        Chunk(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    /** @param file where to append, or null for stdout */
    public AccessLogWriter(Path file) throws IOException {
        this(file, CHUNK, MAX_CHUNKS);
    }

    AccessLogWriter(Path file, int chunkBytes, int maxChunks) throws IOException {
        this.file = file;
        this.chunkBytes = chunkBytes;
        this.maxChunks = maxChunks;
        this.out = open();
        this.writer = Thread.ofPlatform().daemon().name("dicomlb-access-log").start(this::run);
    }

    private OutputStream open() throws IOException {
        return file == null ? new FileOutputStream(FileDescriptor.out) : new FileOutputStream(file.toFile(), true);
    }

    private Lane newLane() {
        Lane l = new Lane(Thread.currentThread());
        lanes.add(l);
        return l;
    }

    @Override
    public void write(ConnectionRecord record) {
        LineBuilder b = record.build();
        try {
            add(b.bytes(), b.length());
        } finally {
            b.release();
        }
    }

    /** A line of text (without its end), for tools and tests. */
    public void accept(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        add(bytes, bytes.length);
    }

    private void add(byte[] line, int n) {
        Lane l = lane.get();
        // Ours until it goes back: the writer finds the slot empty meanwhile and leaves it.
        Chunk c = l.open.getAndSet(null);
        boolean sealed = false;
        if (c != null && c.length + n + 1 > c.bytes.length) {
            // Full for this line: to the writer (a chunk in the slot always has lines).
            l.filled.add(c);
            sealed = true;
            c = null;
        }
        if (c == null) {
            c = chunk(n + 1);
            if (c == null) {
                dropped.incrementAndGet();
                wake(sealed);
                return;
            }
            c.seq = l.started++;
        }
        System.arraycopy(line, 0, c.bytes, c.length, n);
        c.length += n;
        c.bytes[c.length++] = '\n';
        l.open.set(c);
        wake(sealed);
    }

    /** Wakes the writer early when a chunk was filled and it sleeps. */
    private void wake(boolean sealed) {
        if (sealed && sleeping) {
            LockSupport.unpark(writer);
        }
    }

    /** An empty chunk with room for {@code need} bytes, or null when the lines held are at the bound. */
    private Chunk chunk(int need) {
        if (need <= chunkBytes) {
            Chunk spare = spares.poll();
            if (spare != null) {
                return spare;
            }
        }
        if (chunks.incrementAndGet() > maxChunks) {
            chunks.decrementAndGet();
            return null;
        }
        // A line longer than a chunk (a very long quoted path) gets a chunk of its own size.
        return new Chunk(new byte[Math.max(need, chunkBytes)]);
    }

    /** Lines not written because the writer was too far behind, since start. */
    public long dropped() {
        return dropped.get();
    }

    /** Reopens the file (after rotation); a no-op for stdout. */
    public void reopen() {
        reopen = true;
        LockSupport.unpark(writer);
    }

    private void run() {
        List<Chunk> taken = new ArrayList<>();
        while (true) {
            boolean wrote = drain(taken);
            if (closing) {
                // Once more: lines added to a lane after this pass went by it.
                drain(taken);
                return;
            }
            if (reopen) {
                reopenNow();
            }
            reportDrops();
            sleeping = true;
            if (!closing && !reopen) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(wrote ? BUSY_LINGER_MILLIS : LINGER_MILLIS));
            }
            sleeping = false;
        }
    }

    /** Writes every lane's lines; whether there were any. */
    private boolean drain(List<Chunk> taken) {
        boolean wrote = false;
        for (Lane l : lanes) {
            // A lane whose thread has ended gets no more lines: once drained, it is forgotten.
            boolean ended = !l.owner.isAlive();
            // The open chunk first, then the filled ones: every chunk older than the one taken
            // is in the queue by then.
            take(l.open.getAndSet(null), l.filled, taken);
            for (Chunk c : taken) {
                wrote |= write(c.bytes, c.length);
                recycle(c);
            }
            taken.clear();
            if (ended) {
                lanes.remove(l);
            }
        }
        flush();
        return wrote;
    }

    /**
     * Moves a lane's chunks to {@code taken} in the order they were started: those {@code filled}
     * and the {@code open} one taken from its slot just before (or null). A chunk the lane filled
     * after that swap is newer than the open one but comes out of the queue with the older ones.
     */
    static void take(Chunk open, Queue<Chunk> filled, List<Chunk> taken) {
        for (Chunk c; (c = filled.poll()) != null; ) {
            taken.add(c);
        }
        if (open != null) {
            taken.add(open);
            if (taken.size() > 1) {
                taken.sort(BY_SEQ);
            }
        }
    }

    private void recycle(Chunk c) {
        if (c.bytes.length == chunkBytes && spares.size() < SPARES) {
            c.length = 0;
            spares.add(c);
        } else {
            chunks.decrementAndGet();
        }
    }

    /** Writes {@code len} bytes of {@code buf}; whether there were any. */
    private boolean write(byte[] buf, int len) {
        if (len == 0) {
            return false;
        }
        try {
            out.write(buf, 0, len);
        } catch (IOException e) {
            LOG.error("access log write failed ({}); {} bytes of log lines lost", e.toString(), len);
        }
        return true;
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

package org.dicomlb.vip.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keepalived's VRRP notify FIFO, read on a thread of its own (never an event loop).
 *
 * <p>dicomlb creates the FIFO and keeps it open for reading and writing for its whole life, so:
 * keepalived (which opens it non-blocking) never finds it missing and never unlinks it (it only
 * removes FIFOs it created), lines written while keepalived restarts are not lost, the reader
 * never sees end-of-file, and dicomlb can write its own marker lines into the same ordered stream
 * ({@link NotifyLine.Marker}) to tell one keepalived process's lines from the next one's.
 */
public final class NotifyFifo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyFifo.class);
    /** keepalived's lines are short; anything longer is not one of them and is dropped. */
    static final int MAX_LINE = 512;

    private final Path path;
    private final FileChannel writer;
    private final FileChannel reader;
    private final Thread thread;
    private volatile boolean closing;

    private NotifyFifo(Path path, FileChannel writer, FileChannel reader, Consumer<NotifyLine> sink) {
        this.path = path;
        this.writer = writer;
        this.reader = reader;
        this.thread = Thread.ofPlatform().daemon().name("dicomlb-vip-notify").unstarted(() -> readLoop(sink));
    }

    /**
     * Creates the FIFO at {@code path} (with {@code mkfifo}, once) unless one is there, opens it
     * and starts the reader; {@code sink} gets every parsed line in order, on the reader thread.
     */
    public static NotifyFifo open(Path path, Path mkfifo, Consumer<NotifyLine> sink) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !isFifo(path)) {
            // Only a FIFO will do; a leftover regular file would swallow keepalived's reports.
            Files.delete(path);
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            mkfifo(mkfifo, path);
        }
        // Read-write first: opening a FIFO that way never blocks, and it makes us a writer, so the
        // read-only open below does not wait for keepalived either.
        FileChannel writer = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel reader;
        try {
            reader = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            writer.close();
            throw e;
        }
        NotifyFifo fifo = new NotifyFifo(path, writer, reader, sink);
        fifo.thread.start();
        return fifo;
    }

    public Path path() {
        return path;
    }

    /** Writes one line into the stream (a marker); lines under PIPE_BUF are written atomically. */
    public synchronized void write(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            writer.write(b);
        }
    }

    private void readLoop(Consumer<NotifyLine> sink) {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        byte[] line = new byte[MAX_LINE];
        int len = 0;
        boolean overlong = false;
        try {
            while (!closing) {
                buf.clear();
                int n = reader.read(buf);
                if (n < 0) {
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    byte c = buf.get();
                    if (c == '\n') {
                        if (overlong) {
                            LOG.warn("dropped a notify FIFO line longer than {} bytes", MAX_LINE);
                        } else if (deliver(new String(line, 0, len, StandardCharsets.US_ASCII), sink)) {
                            return;
                        }
                        len = 0;
                        overlong = false;
                    } else if (len < MAX_LINE) {
                        line[len++] = c;
                    } else {
                        overlong = true;
                    }
                }
            }
        } catch (IOException e) {
            if (!closing) {
                LOG.error("reading keepalived's notify FIFO {} failed; VIP state is no longer updated", path, e);
            }
        }
    }

    /** Hands a line to the sink; true when it was our close request. */
    private boolean deliver(String text, Consumer<NotifyLine> sink) {
        var parsed = NotifyLine.parse(text);
        if (parsed.isEmpty()) {
            LOG.debug("ignoring notify FIFO line '{}'", text);
            return false;
        }
        if (parsed.get() instanceof NotifyLine.Close) {
            return closing;
        }
        try {
            sink.accept(parsed.get());
        } catch (RuntimeException e) {
            LOG.error("handling notify FIFO line '{}' failed", text, e);
        }
        return false;
    }

    /** Stops the reader (it reads its own close line) and closes the FIFO; the file stays for the next start. */
    @Override
    public void close() {
        closing = true;
        try {
            write(NotifyLine.CLOSE);
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (IOException e) {
            LOG.debug("could not write the close line: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            reader.close();
            writer.close();
        } catch (IOException e) {
            LOG.debug("closing the notify FIFO: {}", e.toString());
        }
    }

    /** A FIFO is the only "other" file (neither regular, directory nor link) that can be at this path. */
    private static boolean isFifo(Path path) throws IOException {
        return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
    }

    private static void mkfifo(Path mkfifo, Path path) throws IOException {
        Process p = new ProcessBuilder(List.of(mkfifo.toString(), "-m", "600", path.toString()))
                .redirectErrorStream(true).start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(mkfifo + " did not finish within 10s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating " + path, e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0 || !isFifo(path)) {
            throw new IOException("cannot create the notify FIFO " + path + ": " + (out.isEmpty() ? "mkfifo exited " + p.exitValue() : out));
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    }
}

package org.dicomlb.dicom.scp;

import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.dimse.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes received instances as Part 10 files into one directory. File I/O blocks, so it runs on
 * a single storage thread; one thread also keeps each association's writes in order.
 * An instance is written to a hidden temporary name and renamed when complete, so a reader of
 * the directory never sees half a file.
 */
final class InstanceStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstanceStore.class);

    /** Rough heap cost of one queued write besides its payload. */
    private static final long TASK_OVERHEAD = 128;

    private final Path directory;
    private final ExecutorService io;
    private final AtomicLong sequence = new AtomicLong();

    InstanceStore(Path directory) {
        this.directory = directory;
        this.io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dicomlb-scp-storage");
            t.setDaemon(true);
            return t;
        });
    }

    /** A sink that writes one instance; {@code sopInstanceUid} is a validated UID, safe as a file name. */
    DataSetSink open(Channel channel, ReadThrottle throttle, String sopClassUid, String sopInstanceUid,
            String transferSyntax, Optional<AeTitle> sourceAe) {
        byte[] header = Part10.header(sopClassUid, sopInstanceUid, transferSyntax, sourceAe);
        Path target = directory.resolve(sopInstanceUid + ".dcm");
        Path temp = directory.resolve("." + sopInstanceUid + "." + sequence.incrementAndGet() + ".part");
        FileSink sink = new FileSink(channel, throttle, target, temp);
        sink.submit(header.length, () -> {
            sink.file = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            writeFully(sink.file, header);
        });
        return sink;
    }

    /** Waits for queued writes; call after the channels that feed it are closed. */
    @Override
    public void close() {
        io.shutdown();
        try {
            if (!io.awaitTermination(10, TimeUnit.SECONDS)) {
                io.shutdownNow();
            }
        } catch (InterruptedException e) {
            io.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static void writeFully(FileChannel file, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            file.write(b);
        }
    }

    @FunctionalInterface
    private interface IoStep {
        void run() throws IOException;
    }

    /** Fields below {@code file} are touched only on the storage thread. */
    private final class FileSink implements DataSetSink {
        private final Channel channel;
        private final ReadThrottle throttle;
        private final Path target;
        private final Path temp;
        private FileChannel file;
        private IOException error;

        FileSink(Channel channel, ReadThrottle throttle, Path target, Path temp) {
            this.channel = channel;
            this.throttle = throttle;
            this.target = target;
            this.temp = temp;
        }

        @Override
        public void write(byte[] fragment) {
            submit(fragment.length, () -> writeFully(file, fragment));
        }

        @Override
        public void finish(Consumer<Outcome> done) {
            submit(0, () -> {
                file.close();
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }, () -> {
                Outcome outcome = error == null ? new Outcome(Status.SUCCESS, Optional.of(target))
                        : new Outcome(Status.OUT_OF_RESOURCES, Optional.empty());
                if (error != null) {
                    log.warn("could not store {}: {}", target.getFileName(), error.toString());
                    deleteTemp();
                }
                try {
                    channel.eventLoop().execute(() -> done.accept(outcome));
                } catch (RejectedExecutionException e) {
                    log.debug("event loop stopped before {} was acknowledged", target.getFileName());
                }
            });
        }

        @Override
        public void discard() {
            submit(0, () -> {
                error = new IOException("discarded");
            }, this::deleteTemp);
        }

        void submit(long octets, IoStep step) {
            submit(octets, step, () -> {
            });
        }

        /** Runs {@code step} unless an earlier step failed, then {@code after} regardless. */
        private void submit(long payload, IoStep step, Runnable after) {
            // Count a task's own footprint too, so a flood of one-octet fragments is throttled as well.
            long octets = payload + TASK_OVERHEAD;
            throttle.queued(octets);
            try {
                io.execute(() -> {
                    try {
                        if (error == null) {
                            step.run();
                        }
                    } catch (IOException e) {
                        error = e;
                    } finally {
                        throttle.written(octets);
                        after.run();
                    }
                });
            } catch (RejectedExecutionException e) {
                // The SCP is shutting down; the partial file, if any, stays behind as a .part file.
                throttle.written(octets);
                log.debug("storage stopped; dropping write for {}", target.getFileName());
            }
        }

        private void deleteTemp() {
            try {
                if (file != null) {
                    file.close();
                }
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                log.warn("could not delete {}: {}", temp, e.toString());
            }
        }
    }
}

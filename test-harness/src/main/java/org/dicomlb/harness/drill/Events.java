package org.dicomlb.harness.drill;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What happened when, in seconds since the drill's clock started: faults, restores, what the
 * drill saw. Written to {@code timeline.log} as it happens (a drill that is killed still leaves
 * it) and echoed to the progress stream.
 */
final class Events implements AutoCloseable {
    private final BufferedWriter file;
    private final PrintStream progress;
    private final long start = System.nanoTime();

    Events(Path path, PrintStream progress) throws IOException {
        this.file = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        this.progress = progress;
    }

    /** Seconds from the start of the drill to {@code nanos} (a System.nanoTime()). */
    double at(long nanos) {
        return (nanos - start) / 1e9;
    }

    synchronized void event(String text) {
        String line = String.format(Locale.ROOT, "[%7.1f s] %s", at(System.nanoTime()), text);
        progress.println("drill: " + line);
        try {
            file.write(line);
            file.newLine();
            file.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the drill's timeline", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}

package org.dicomlb.harness.soak;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What happened when, in seconds since the load started: faults, floods, problems. Written to a
 * file in the output directory as it happens (a soak that is killed still leaves its timeline) and
 * echoed to the progress stream.
 */
final class Timeline implements AutoCloseable {
    private final BufferedWriter file;
    private final PrintStream progress;
    private volatile long start = System.nanoTime();

    Timeline(Path path, PrintStream progress) throws IOException {
        this.file = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        this.progress = progress;
    }

    /** From now on, times count from here (the start of the load). */
    void startClock() {
        start = System.nanoTime();
    }

    synchronized void event(String text) {
        String line = String.format(Locale.ROOT, "[%7.1f s] %s", (System.nanoTime() - start) / 1e9, text);
        progress.println("soak: " + line);
        try {
            file.write(line);
            file.newLine();
            file.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the soak's timeline", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}

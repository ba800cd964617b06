package org.dicomlb.harness.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's open-files limit, which every child it starts inherits. */
public final class OpenFiles {
    private OpenFiles() {
    }

    /** The soft RLIMIT_NOFILE, from /proc/self/limits. */
    public static long limit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE / 4 : Long.parseLong(soft);
            }
        }
        throw new IOException("no 'Max open files' in /proc/self/limits");
    }
}

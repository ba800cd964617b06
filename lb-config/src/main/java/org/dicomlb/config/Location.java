package org.dicomlb.config;

import java.util.Objects;

/** Where a configuration node starts: file name, 1-based line and 1-based column. */
public record Location(String file, int line, int column) {
    public Location {
        Objects.requireNonNull(file, "file");
    }

    /** A location for problems that concern the file as a whole (unreadable, empty). */
    public static Location startOf(String file) {
        return new Location(file, 1, 1);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}

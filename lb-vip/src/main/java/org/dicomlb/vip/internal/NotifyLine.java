package org.dicomlb.vip.internal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line keepalived writes to its VRRP notify FIFO, e.g. {@code INSTANCE "dicomlb_vip" MASTER 150},
 * or one of the marker lines dicomlb writes into the same FIFO to tell which keepalived process
 * (generation) the lines after it come from.
 */
public sealed interface NotifyLine {
    /** keepalived's report: {@code kind} is INSTANCE or GROUP; {@code what} MASTER, BACKUP, FAULT, STOP, ... */
    record Report(String kind, String name, String what, int priority) implements NotifyLine {
    }

    /** dicomlb's own marker: lines after it belong to keepalived generation {@code generation}. */
    record Marker(long generation) implements NotifyLine {
    }

    /** Asks the reader thread to end. */
    record Close() implements NotifyLine {
    }

    String MARKER_PREFIX = "DICOMLB GENERATION ";
    String CLOSE = "DICOMLB CLOSE";

    Pattern REPORT = Pattern.compile("(INSTANCE|GROUP) \"([^\"]{1,128})\" ([A-Z_]{1,32}) (-?\\d{1,4})");
    Pattern MARKER = Pattern.compile("DICOMLB GENERATION (\\d{1,18})");

    /** The line parsed, or empty when it is not one we know (logged by the caller). */
    static Optional<NotifyLine> parse(String line) {
        String s = line.strip();
        if (s.equals(CLOSE)) {
            return Optional.of(new Close());
        }
        Matcher m = MARKER.matcher(s);
        if (m.matches()) {
            return Optional.of(new Marker(Long.parseLong(m.group(1))));
        }
        m = REPORT.matcher(s);
        if (m.matches()) {
            return Optional.of(new Report(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4))));
        }
        return Optional.empty();
    }

    static String marker(long generation) {
        return MARKER_PREFIX + generation;
    }
}

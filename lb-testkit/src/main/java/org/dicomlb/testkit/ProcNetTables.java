package org.dicomlb.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The rows of the kernel's socket tables in /proc/net (tcp, tcp6, udp, udp6), split into fields. */
final class ProcNetTables {
    private ProcNetTables() {
    }

    /**
     * Every row of {@code tables} after their header line, split on whitespace (field 1 is the
     * local address as HEX_IP:HEX_PORT, field 2 the remote one, field 3 the state); a table that
     * is not there (no IPv6) is skipped.
     */
    static List<String[]> rows(List<Path> tables) {
        List<String[]> rows = new ArrayList<>();
        for (Path table : tables) {
            if (!Files.isReadable(table)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + table, e);
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                rows.add(line.trim().split("\\s+"));
            }
        }
        return rows;
    }

    /** The port of a HEX_IP:HEX_PORT address field. */
    static int port(String addressAndPort) {
        return Integer.parseInt(addressAndPort.substring(addressAndPort.indexOf(':') + 1), 16);
    }
}

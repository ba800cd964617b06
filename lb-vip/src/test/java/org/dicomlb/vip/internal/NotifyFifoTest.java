package org.dicomlb.vip.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dicomlb.vip.testing.Tools;
import org.dicomlb.vip.testing.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifyFifoTest {
    @TempDir
    Path dir;

    @Test
    void parsesKeepalivedsLinesAndOurMarkers() {
        assertThat(NotifyLine.parse("INSTANCE \"dicomlb_vip\" MASTER 150"))
                .contains(new NotifyLine.Report("INSTANCE", "dicomlb_vip", "MASTER", 150));
        assertThat(NotifyLine.parse("INSTANCE \"dicomlb_vip\" BACKUP_PRIORITY 50\n"))
                .contains(new NotifyLine.Report("INSTANCE", "dicomlb_vip", "BACKUP_PRIORITY", 50));
        assertThat(NotifyLine.parse("GROUP \"g\" FAULT 0")).contains(new NotifyLine.Report("GROUP", "g", "FAULT", 0));
        assertThat(NotifyLine.parse(NotifyLine.marker(42))).contains(new NotifyLine.Marker(42));
        assertThat(NotifyLine.parse("DICOMLB CLOSE")).contains(new NotifyLine.Close());
        assertThat(NotifyLine.parse("INSTANCE dicomlb_vip MASTER 150")).isEmpty();
        assertThat(NotifyLine.parse("VS [192.0.2.1]:tcp:80 UP")).isEmpty();
        assertThat(NotifyLine.parse("")).isEmpty();
    }

    @Test
    void deliversWhatAnotherWriterPutsInTheFifoInOrderAndSurvivesGarbage() throws Exception {
        Path mkfifo = Tools.require("mkfifo", "coreutils");
        List<NotifyLine> got = new CopyOnWriteArrayList<>();
        Path path = dir.resolve("notify.fifo");
        try (NotifyFifo fifo = NotifyFifo.open(path, mkfifo, got::add)) {
            fifo.write(NotifyLine.marker(1));
            // As keepalived does: a writer of its own, opened and closed while we keep reading.
            try (FileOutputStream out = new FileOutputStream(path.toFile())) {
                out.write(("INSTANCE \"dicomlb_vip\" BACKUP 150\n" + "x".repeat(5000) + "\nnot a report\n"
                        + "INSTANCE \"dicomlb_vip\" MASTER 150\n").getBytes(StandardCharsets.US_ASCII));
            }
            fifo.write(NotifyLine.marker(2));
            Wait.until(Duration.ofSeconds(10), () -> "four lines, got " + got, () -> got.size() == 4);
            assertThat(got).containsExactly(new NotifyLine.Marker(1),
                    new NotifyLine.Report("INSTANCE", "dicomlb_vip", "BACKUP", 150),
                    new NotifyLine.Report("INSTANCE", "dicomlb_vip", "MASTER", 150),
                    new NotifyLine.Marker(2));
        }
        // The FIFO stays for the next start, and a second open reuses it.
        assertThat(Files.exists(path)).isTrue();
        try (NotifyFifo again = NotifyFifo.open(path, mkfifo, got::add)) {
            again.write(NotifyLine.marker(3));
            Wait.until(Duration.ofSeconds(10), "marker 3", () -> got.getLast().equals(new NotifyLine.Marker(3)));
        }
    }

    @Test
    void aRegularFileWhereTheFifoBelongsIsReplaced() throws Exception {
        Path path = dir.resolve("notify.fifo");
        Files.writeString(path, "left over\n");
        List<NotifyLine> got = new CopyOnWriteArrayList<>();
        try (NotifyFifo fifo = NotifyFifo.open(path, Tools.require("mkfifo", "coreutils"), got::add)) {
            fifo.write(NotifyLine.marker(7));
            Wait.until(Duration.ofSeconds(10), "marker", () -> got.equals(List.of(new NotifyLine.Marker(7))));
        }
    }
}

package org.dicomlb.harness.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What dicomlb's operational log (its stderr and stdout; the access log is a file of its own)
 * said over a soak. Expected: WARN lines (a killed backend going down, a drained one), INFO, and
 * the ERROR lines of the reloads the soak broke on purpose ({@code reload rejected ...}).
 * Unexpected, each failing the soak: any other ERROR line, any Netty {@code LEAK:} report, any
 * stack trace (a {@code at ...} frame, {@code Caused by:}, an exception's header line), a JVM
 * fatal error, and any line outside the log format.
 *
 * @param rejectedReloadLines the ERROR lines of rejected reloads (expected: the soak caused them)
 * @param unexpected          the first {@link #EXAMPLES} unexpected lines
 * @param unexpectedTotal     all of them
 * @param warningsByLogger    WARN lines per logger, for the report
 */
public record LogFindings(long lines, long rejectedReloadLines, List<String> unexpected, long unexpectedTotal,
                          Map<String, Long> warningsByLogger) {
    static final int EXAMPLES = 20;
    /** The appliance's log line (lb-admin-cli's LogSetup): {@code %d %-5level %logger{1} - %msg}. */
    private static final Pattern LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\S+ (ERROR|WARN|INFO|DEBUG|TRACE)\\s+(\\S+) - (.*)$");
    private static final Pattern REJECTED_RELOAD = Pattern.compile("^reload rejected[ :]");

    public LogFindings {
        unexpected = List.copyOf(unexpected);
        warningsByLogger = Collections.unmodifiableMap(new TreeMap<>(warningsByLogger));
    }

    static LogFindings scan(Path log) throws IOException {
        long lines = 0;
        long rejected = 0;
        long unexpectedTotal = 0;
        List<String> unexpected = new ArrayList<>();
        Map<String, Long> warnings = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                lines++;
                String why = null;
                Matcher m = LINE.matcher(line);
                if (line.contains("LEAK:")) {
                    why = "a Netty leak report";
                } else if (!m.matches()) {
                    why = "not a log line (a stack trace, a JVM message?)";
                } else if (m.group(1).equals("ERROR")) {
                    if (REJECTED_RELOAD.matcher(m.group(3)).find()) {
                        rejected++;
                    } else {
                        why = "an ERROR";
                    }
                } else if (m.group(1).equals("WARN")) {
                    warnings.merge(m.group(2), 1L, Long::sum);
                }
                if (why != null) {
                    unexpectedTotal++;
                    if (unexpected.size() < EXAMPLES) {
                        unexpected.add(why + ": " + (line.length() > 400 ? line.substring(0, 400) + " ..." : line));
                    }
                }
            }
        }
        return new LogFindings(lines, rejected, unexpected, unexpectedTotal, warnings);
    }
}

package org.dicomlb.harness.bench.process;

import java.util.List;

/** Small helpers for quoting tool output in error messages. */
public final class Text {
    private Text() {
    }

    /** The last {@code lines} non-blank lines of {@code text}, joined with " | ". */
    public static String tail(String text, int lines) {
        List<String> all = text.lines().filter(l -> !l.isBlank()).toList();
        List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
        return last.isEmpty() ? "(nothing)" : String.join(" | ", last);
    }
}

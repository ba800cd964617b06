package org.dicomlb.engine;

import java.util.List;

/**
 * The outcome of a reload: applied, or rejected with every reason (located config errors or a
 * bind failure). A rejected reload changed nothing.
 */
public record ReloadResult(boolean applied, List<String> errors, String summary) {
    public ReloadResult {
        errors = List.copyOf(errors);
    }

    public static ReloadResult applied(String summary) {
        return new ReloadResult(true, List.of(), summary);
    }

    public static ReloadResult rejected(List<String> errors) {
        return new ReloadResult(false, errors, "configuration rejected; the running configuration is unchanged");
    }
}

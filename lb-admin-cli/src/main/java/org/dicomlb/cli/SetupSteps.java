package org.dicomlb.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import org.dicomlb.l4.setup.Step;

/** How the setup commands print their steps, or run them one after the other. */
final class SetupSteps {
    private SetupSteps() {
    }

    /** Prints each step as a commented shell line, or runs them (stopping at the first failure). */
    static int printOrRun(List<Step> steps, boolean apply, PrintWriter out, PrintWriter err, String footer) {
        for (Step s : steps) {
            if (!apply) {
                out.println("# " + s.why());
                out.println(s.shell());
                continue;
            }
            try {
                s.run(List.of());
                out.println("done: " + s.why());
            } catch (IOException e) {
                err.println("dicomlb: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
        if (!apply && footer != null) {
            out.println(footer);
        }
        return ExitCodes.OK;
    }
}

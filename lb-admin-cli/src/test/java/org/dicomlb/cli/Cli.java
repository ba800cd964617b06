package org.dicomlb.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs dicomlb commands in-process with captured output. */
record Cli(int exit, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DicomlbCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Cli(exit, out.toString(), err.toString());
    }
}

package org.dicomlb.cli;

import picocli.CommandLine;

/** Process entry point of the {@code dicomlb} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(DicomlbCommand.commandLine().execute(args));
    }
}

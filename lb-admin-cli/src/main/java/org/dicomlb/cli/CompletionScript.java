package org.dicomlb.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;

/**
 * Build step: writes bash completion for {@code dicomlb} (picocli's, from the command's own
 * model) to the file named by the only argument, creating its directory. picocli's own
 * AutoComplete main neither creates the directory nor fails the build when it cannot write, so
 * a clean build used to end without the script.
 */
public final class CompletionScript {
    private CompletionScript() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CompletionScript OUTPUT-FILE");
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, AutoComplete.bash("dicomlb", DicomlbCommand.commandLine()));
    }
}

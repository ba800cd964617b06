package org.dicomlb.harness.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the executables of the test peers, or fails loudly saying how to install them. */
public final class Binaries {
    static final String INSTALL_HINT = "install the test peers with: sudo bash scripts/install-test-deps.sh "
            + "(it apt-get installs dcmtk, orthanc and the other Debian packages the tests run against)";

    private Binaries() {
    }

    /**
     * The executable {@code name} from /usr/bin, /usr/sbin, /usr/local/bin or PATH.
     *
     * @param debianPackage the package that ships it, named in the error
     * @throws IllegalStateException when it is missing: tests must not silently skip
     */
    public static Path find(String name, String debianPackage) {
        List<Path> looked = new ArrayList<>();
        for (String dir : searchPath()) {
            Path p = Path.of(dir, name);
            looked.add(p);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(name + " (Debian package " + debianPackage + ") is not installed; looked at "
                + looked + ". " + INSTALL_HINT);
    }

    private static List<String> searchPath() {
        List<String> dirs = new ArrayList<>(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isBlank() && !dirs.contains(d)) {
                    dirs.add(d);
                }
            }
        }
        return dirs;
    }
}

package org.dicomlb.vip.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The programs the VIP tests run, found or a loud failure naming the install script (never a skip). */
public final class Tools {
    private static final String HINT = "install the test dependencies with: sudo bash scripts/install-test-deps.sh";

    private Tools() {
    }

    public static Path require(String name, String debianPackage) {
        List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (!d.isBlank() && Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(name + " (Debian package " + debianPackage + ") is not installed; " + HINT);
    }

    /** Network namespaces, veths and keepalived need root; CI runs the tests as root. */
    public static void requireRoot() {
        String user = System.getProperty("user.name");
        if (!"root".equals(user)) {
            throw new IllegalStateException("the VIP tests create network namespaces and must run as root (they run as "
                    + user + "); CI runs scripts/test as root");
        }
        require("ip", "iproute2");
        require("keepalived", "keepalived");
        require("setpriv", "util-linux");
    }
}

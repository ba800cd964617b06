package org.dicomlb.harness.peers;

import java.nio.file.Path;

/** The DCMTK command-line tools (Debian package {@code dcmtk}, 3.6.7 on Debian 12). */
public final class Dcmtk {
    private Dcmtk() {
    }

    public static Path echoscu() {
        return tool("echoscu");
    }

    public static Path storescu() {
        return tool("storescu");
    }

    public static Path storescp() {
        return tool("storescp");
    }

    public static Path dcmdump() {
        return tool("dcmdump");
    }

    public static Path dump2dcm() {
        return tool("dump2dcm");
    }

    public static Path tool(String name) {
        return Binaries.find(name, "dcmtk");
    }
}

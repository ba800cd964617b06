package org.dicomlb.l4.testing;

import java.nio.file.Path;
import java.util.List;
import org.dicomlb.l4.internal.LocalHost;
import org.dicomlb.vip.testing.Lab;
import org.dicomlb.vip.testing.Tools;

/** nft and the neighbour table inside a lab namespace, for assertions. */
public final class Nft {
    private Nft() {
    }

    /** Fails loudly, naming the install script, when nft is missing (never a skip). */
    public static Path require() {
        return Tools.require("nft", "nftables");
    }

    /** A host whose every command runs in {@code role}'s namespace. */
    public static LocalHost host(Lab lab, String role) {
        require();
        return new LocalHost(launcher(lab, role));
    }

    public static List<String> launcher(Lab lab, String role) {
        return List.of("ip", "netns", "exec", lab.ns(role));
    }

    /**
     * {@code nft list table FAMILY NAME} in the namespace. Through a file: a table with slot maps
     * lists to more than a pipe holds, and {@link Lab#exec} reads only after the command ended.
     */
    public static String list(Lab lab, String role, String family, String table) {
        try {
            java.nio.file.Path out = java.nio.file.Files.createTempFile("nft-list", ".txt");
            try {
                Process p = new ProcessBuilder("ip", "netns", "exec", lab.ns(role), "nft", "list", "table", family, table)
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("nft list table did not finish within 30s");
                }
                String text = java.nio.file.Files.readString(out);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("nft list table " + family + " " + table + ": " + text.strip());
                }
                return text;
            } finally {
                java.nio.file.Files.deleteIfExists(out);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code nft list tables} in the namespace shows the table. */
    public static boolean exists(Lab lab, String role, String family, String table) {
        return lab.exec(role, "nft", "list", "tables").lines().anyMatch(l -> l.strip().equals("table " + family + " " + table));
    }

    /** The MAC of {@code role}'s eth0. */
    public static String mac(Lab lab, String role) {
        return lab.exec(role, "cat", "/sys/class/net/eth0/address").strip();
    }
}

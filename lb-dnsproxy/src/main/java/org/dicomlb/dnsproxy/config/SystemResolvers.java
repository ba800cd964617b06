package org.dicomlb.dnsproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The system's resolvers, from {@code nameserver} lines of a resolv.conf file, each on port 53,
 * in the file's order. Read when the configuration is read (so a reload picks up a changed
 * file); only the nameservers are used, not {@code search}, {@code domain} or {@code options}.
 */
public final class SystemResolvers {
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** resolv.conf is a small file; anything larger is not one. */
    static final int MAX_BYTES = 64 * 1024;

    private SystemResolvers() {
    }

    /**
     * The nameservers of {@code file} (at most {@link DnsBackendConfig#MAX_RESOLVERS}, duplicates
     * dropped). Throws {@link IllegalArgumentException} with a message for the operator when the
     * file cannot be read or lists none.
     */
    public static List<InetSocketAddress> read(Path file) {
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IllegalArgumentException(file + " is larger than " + MAX_BYTES / 1024 + " KiB; it is not a resolv.conf");
            }
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no 'resolvers' given and " + file + " does not exist; list the resolvers "
                    + "to ask, e.g. resolvers: [127.0.0.1:53]");
        } catch (IOException e) {
            throw new IllegalArgumentException("no 'resolvers' given and " + file + " cannot be read (" + e.getMessage()
                    + "); list the resolvers to ask, e.g. resolvers: [127.0.0.1:53]");
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver")) {
                continue;
            }
            InetAddress address;
            try {
                address = InetAddress.ofLiteral(words[1]);
            } catch (IllegalArgumentException e) {
                // Not an address this JVM can use as written (e.g. an unknown IPv6 scope): the libc
                // resolver would skip it too.
                continue;
            }
            InetSocketAddress a = new InetSocketAddress(address, 53);
            if (!out.contains(a) && out.size() < DnsBackendConfig.MAX_RESOLVERS) {
                out.add(a);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no 'resolvers' given and " + file + " lists no nameserver; list the "
                    + "resolvers to ask, e.g. resolvers: [127.0.0.1:53]");
        }
        return List.copyOf(out);
    }
}

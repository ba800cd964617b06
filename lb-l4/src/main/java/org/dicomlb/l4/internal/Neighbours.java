package org.dicomlb.l4.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The IPv4 neighbour table, read from {@code /proc/net/arp}. */
public final class Neighbours {
    /** ATF_COM: the entry has a hardware address. */
    private static final int COMPLETE = 0x2;

    /**
     * One entry. {@code mac} is null while the kernel is still asking or got no answer
     * (INCOMPLETE or FAILED).
     */
    public record Entry(String ip, String device, String mac) {
        public Entry {
            Objects.requireNonNull(ip, "ip");
            Objects.requireNonNull(device, "device");
        }
    }

    private Neighbours() {
    }

    /** Entries by {@code device + " " + ip}. Lines that do not parse are skipped. */
    public static Map<String, Entry> parse(String procNetArp) {
        Map<String, Entry> out = new HashMap<>();
        for (String line : procNetArp.lines().skip(1).toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 6) {
                continue;
            }
            int flags;
            try {
                flags = Integer.decode(f[2]);
            } catch (NumberFormatException e) {
                continue;
            }
            String mac = f[3].toLowerCase(Locale.ROOT);
            boolean complete = (flags & COMPLETE) != 0 && !mac.equals("00:00:00:00:00:00");
            out.put(key(f[5], f[0]), new Entry(f[0], f[5], complete ? mac : null));
        }
        return out;
    }

    public static String key(String device, String ip) {
        return device + " " + ip;
    }
}

package org.dicomlb.l4.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One nftables table as dicomlb wants it: its objects in the order they are created, each with
 * its specification and content. {@link #transaction} turns the table applied before into this
 * one as a single {@code nft -f} script (one kernel transaction: every packet sees the old table or
 * the new one). Flow maps and counters are kept across changes; everything else is refilled.
 */
public record NftTable(String family, String name, List<NftObject> objects) {
    public NftTable {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(name, "name");
        objects = List.copyOf(objects);
        Set<String> seen = new HashSet<>();
        for (NftObject o : objects) {
            if (!seen.add(o.kind() + " " + o.name())) {
                throw new IllegalArgumentException("table " + name + " has two " + o.kind().word + "s named " + o.name());
            }
        }
    }

    public enum Kind {
        COUNTER("counter"), SET("set"), MAP("map"), CHAIN("chain");

        final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    /**
     * @param spec    what goes between the braces when it is created: a set's type and flags, a
     *                base chain's hook; empty for counters and regular chains
     * @param content a set's or map's elements, or a chain's rules
     * @param keep    its state lives in the kernel and outlives changes (counters, flow maps): never
     *                flushed, only created and deleted
     */
    public record NftObject(Kind kind, String name, String spec, List<String> content, boolean keep) {
        public NftObject {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(spec, "spec");
            content = List.copyOf(content);
            if (keep && !content.isEmpty()) {
                throw new IllegalArgumentException(kind.word + " " + name + " is kept by the kernel and has no content of ours");
            }
        }

        public static NftObject counter(String name) {
            return new NftObject(Kind.COUNTER, name, "", List.of(), true);
        }

        public static NftObject set(String name, String spec, List<String> elements) {
            return new NftObject(Kind.SET, name, spec, elements, false);
        }

        public static NftObject map(String name, String spec, List<String> elements) {
            return new NftObject(Kind.MAP, name, spec, elements, false);
        }

        /** A map the packet path writes (flows): created empty and kept. */
        public static NftObject dynamicMap(String name, String spec) {
            return new NftObject(Kind.MAP, name, spec, List.of(), true);
        }

        public static NftObject chain(String name, String spec, List<String> rules) {
            return new NftObject(Kind.CHAIN, name, spec, rules, false);
        }
    }

    private String ref() {
        return family + " " + name;
    }

    private Map<String, NftObject> byKey() {
        Map<String, NftObject> m = new LinkedHashMap<>();
        objects.forEach(o -> m.put(o.kind() + " " + o.name(), o));
        return m;
    }

    /**
     * The script that turns {@code before} (what this process applied last, or null when it does
     * not know: the first apply, or after a failure) into this table. Without {@code before} the
     * table is created from scratch, replacing any leftover of an earlier run in the same
     * transaction.
     */
    public String transaction(NftTable before) {
        StringBuilder b = new StringBuilder();
        if (before == null) {
            // "table" creates it if missing, so the delete always finds one.
            b.append("table ").append(ref()).append(" {\n}\n");
            b.append("delete table ").append(ref()).append('\n');
            b.append("add table ").append(ref()).append('\n');
            create(b, objects);
            fill(b, objects);
            return b.toString();
        }
        if (!before.family.equals(family) || !before.name.equals(name)) {
            throw new IllegalArgumentException("a transaction changes one table");
        }
        b.append("add table ").append(ref()).append('\n');
        Map<String, NftObject> old = before.byKey();
        Map<String, NftObject> now = byKey();
        // Empty every chain first: nothing refers to a set, map, counter or chain after this.
        for (NftObject o : before.objects) {
            if (o.kind() == Kind.CHAIN) {
                b.append("flush chain ").append(ref()).append(' ').append(o.name()).append('\n');
            }
        }
        List<NftObject> gone = new ArrayList<>();
        List<NftObject> added = new ArrayList<>();
        for (NftObject o : before.objects) {
            NftObject next = now.get(o.kind() + " " + o.name());
            if (next == null || !next.spec().equals(o.spec()) || next.keep() != o.keep()) {
                gone.add(o);
            } else if (!o.keep() && (o.kind() == Kind.SET || o.kind() == Kind.MAP)) {
                b.append("flush ").append(o.kind().word).append(' ').append(ref()).append(' ').append(o.name()).append('\n');
            }
        }
        for (NftObject o : objects) {
            NftObject prev = old.get(o.kind() + " " + o.name());
            if (prev == null || !prev.spec().equals(o.spec()) || prev.keep() != o.keep()) {
                added.add(o);
            }
        }
        // Chains (now empty) go before the maps and counters their rules used, maps before the counters they name.
        for (Kind k : List.of(Kind.CHAIN, Kind.MAP, Kind.SET, Kind.COUNTER)) {
            for (NftObject o : gone) {
                if (o.kind() == k) {
                    b.append("delete ").append(k.word).append(' ').append(ref()).append(' ').append(o.name()).append('\n');
                }
            }
        }
        create(b, added);
        fill(b, objects);
        return b.toString();
    }

    /** The script that removes the table. */
    public String removal() {
        return "table " + ref() + " {\n}\ndelete table " + ref() + "\n";
    }

    private void create(StringBuilder b, List<NftObject> which) {
        for (Kind k : List.of(Kind.COUNTER, Kind.SET, Kind.MAP, Kind.CHAIN)) {
            for (NftObject o : which) {
                if (o.kind() == k) {
                    b.append("add ").append(k.word).append(' ').append(ref()).append(' ').append(o.name()).append(" {");
                    if (!o.spec().isEmpty()) {
                        b.append(' ').append(o.spec()).append(' ');
                    }
                    b.append("}\n");
                }
            }
        }
    }

    /** Elements, then rules: a rule may name any set, map or chain of the table. */
    private void fill(StringBuilder b, List<NftObject> which) {
        for (NftObject o : which) {
            if ((o.kind() == Kind.SET || o.kind() == Kind.MAP) && !o.content().isEmpty()) {
                b.append("add element ").append(ref()).append(' ').append(o.name()).append(" { ")
                        .append(String.join(", ", o.content())).append(" }\n");
            }
        }
        for (NftObject o : which) {
            if (o.kind() == Kind.CHAIN) {
                for (String rule : o.content()) {
                    b.append("add rule ").append(ref()).append(' ').append(o.name()).append(' ').append(rule).append('\n');
                }
            }
        }
    }
}

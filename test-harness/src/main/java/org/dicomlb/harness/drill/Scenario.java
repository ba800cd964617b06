package org.dicomlb.harness.drill;

import java.util.ArrayList;
import java.util.List;

/** The six failures of the drill, in the order they run. */
enum Scenario {
    ARCHIVE_KILLED(1, "site A's archive killed"),
    MASTER_KILLED(2, "dicomlb on site A's master SIGKILLed"),
    APPLIANCE_LOST(3, "site A's master appliance lost (power cut)"),
    SITES_LINK_CUT(4, "link between the sites cut"),
    SITE_CUT_OFF(5, "site A cut off (whole-site loss)"),
    SITE_BACK(6, "site A back (failback: manual)");

    final int number;
    final String title;

    Scenario(int number, String title) {
        this.number = number;
        this.title = title;
    }

    /** Parses {@code 1,2,3,4,5,6}; scenario 6 (site A back) needs 5 (site A cut off) before it. */
    static List<Scenario> parse(String list) {
        List<Scenario> out = new ArrayList<>();
        for (String s : list.split(",")) {
            String t = s.strip();
            Scenario found = null;
            for (Scenario sc : values()) {
                if (Integer.toString(sc.number).equals(t)) {
                    found = sc;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("unknown scenario '" + t + "' (expected numbers 1 to 6, e.g. 1,2,5,6)");
            }
            if (out.contains(found)) {
                throw new IllegalArgumentException("scenario " + t + " is listed twice");
            }
            out.add(found);
        }
        return validated(out);
    }

    static List<Scenario> validated(List<Scenario> scenarios) {
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("at least one scenario");
        }
        for (int i = 1; i < scenarios.size(); i++) {
            if (scenarios.get(i).ordinal() < scenarios.get(i - 1).ordinal()) {
                throw new IllegalArgumentException("scenarios run in their order: 1, 2, 3, 4, 5, 6");
            }
        }
        if (scenarios.contains(SITE_BACK) != scenarios.contains(SITE_CUT_OFF)) {
            throw new IllegalArgumentException("scenarios 5 (site A cut off) and 6 (site A back) go together");
        }
        return List.copyOf(scenarios);
    }
}

package org.dicomlb.harness.drill;

import java.time.Duration;
import java.util.List;

/**
 * How long each phase of a scenario lasts.
 *
 * @param scenarios      which scenarios run, in order
 * @param hold           how long a fault stands once every modality has recovered from it
 * @param observe        how long a recovered site is watched staying out of DNS before the failback
 * @param recovery       the longest the drill waits for a modality's next successful association
 * @param perAssociation instances each association sends
 */
record DrillSettings(List<Scenario> scenarios, Duration hold, Duration observe, Duration recovery, int perAssociation) {
    DrillSettings {
        scenarios = Scenario.validated(scenarios);
        if (hold.isNegative() || observe.isNegative() || recovery.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new IllegalArgumentException("hold and observe must not be negative, recovery at least 10 s");
        }
        if (perAssociation < 1 || perAssociation > 50) {
            throw new IllegalArgumentException("instances per association: 1 to 50");
        }
    }

    /** The full drill of {@code scripts/drill}. */
    static DrillSettings full() {
        return new DrillSettings(List.of(Scenario.values()), Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(90), 3);
    }

    /** The short form CI runs on every submission: scenarios 1 and 2, brief holds. */
    static DrillSettings ci() {
        return new DrillSettings(List.of(Scenario.ARCHIVE_KILLED, Scenario.MASTER_KILLED), Duration.ofSeconds(3),
                Duration.ofSeconds(4), Duration.ofSeconds(60), 3);
    }

    DrillSettings withScenarios(List<Scenario> s) {
        return new DrillSettings(s, hold, observe, recovery, perAssociation);
    }
}

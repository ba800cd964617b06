package org.dicomlb.harness.drill;

import java.util.List;
import java.util.Map;

/**
 * What a drill found: per scenario and modality the figures the issue asks for, the checks (the
 * drill passes when every one passed) and what the drill saw on the way.
 *
 * @param machine  where it ran (kernel, cores, load) and how dicomlb was started
 * @param settings the phases' durations, for the reader of the table
 */
record DrillReport(List<ScenarioReport> scenarios, List<Check> checks, Map<String, String> machine, String settings) {
    DrillReport {
        scenarios = List.copyOf(scenarios);
        checks = List.copyOf(checks);
        machine = Map.copyOf(machine);
    }

    /**
     * One modality in one scenario, over the associations it started from the fault to the start
     * of the next scenario (the last one: to the end of the drill).
     *
     * @param nextSuccessSeconds from the fault to the end of the first association started after it
     *                           that stored every instance; null when there was none
     * @param failed             attempts that failed visibly and ended in this scenario's window
     *                           (the fault they met): the name did not resolve, or storescu did not
     *                           get a success status for every instance it sent
     * @param failedKinds        those by how they failed
     * @param confirmed          instances that got a success status
     * @param missing            of those, the ones in neither archive
     * @param atA                of those, the ones site A's archive holds
     * @param atB                of those, the ones site B's archive holds
     */
    record ModalityFigures(String modality, Double nextSuccessSeconds, int attempts, int failed,
                           Map<String, Integer> failedKinds, int confirmed, int missing, int atA, int atB,
                           List<String> missingExamples) {
        ModalityFigures {
            failedKinds = Map.copyOf(failedKinds);
            missingExamples = List.copyOf(missingExamples);
        }
    }

    /**
     * @param startedAt seconds from the start of the drill to the fault
     * @param seconds   how long the scenario's window lasted
     */
    record ScenarioReport(int number, String title, double startedAt, double seconds, List<ModalityFigures> modalities,
                          List<String> observations) {
        ScenarioReport {
            modalities = List.copyOf(modalities);
            observations = List.copyOf(observations);
        }
    }

    /** One promise the drill checks; {@code scenario} 0 for the drill as a whole. */
    record Check(int scenario, String name, boolean passed, String detail) {
    }

    boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    long missingTotal() {
        return scenarios.stream().flatMap(s -> s.modalities().stream()).mapToLong(ModalityFigures::missing).sum();
    }
}

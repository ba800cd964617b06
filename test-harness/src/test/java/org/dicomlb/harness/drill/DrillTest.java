package org.dicomlb.harness.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.LogSetup;
import org.dicomlb.harness.drill.DrillReport.Check;
import org.dicomlb.harness.drill.DrillReport.ModalityFigures;
import org.dicomlb.harness.drill.DrillReport.ScenarioReport;
import org.dicomlb.harness.soak.DicomlbStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of {@code scripts/drill} that CI runs on every submission (docs/deployment.md): the
 * two sites in network namespaces, four dicomlb processes of this build (the test's class path),
 * keepalived, Unbound, storescp and Orthanc, with scenarios 1 (site A's archive killed, failed
 * back by hand) and 2 (dicomlb on site A's master SIGKILLed) while both modalities store. Needs
 * root and the Debian tools of {@code scripts/install-test-deps.sh}; a missing one fails the test
 * with its name.
 */
class DrillTest {
    @TempDir
    Path out;

    @Test
    // The drill bounds every wait itself (about 95 s in all on the loaded build machine); this is
    // the backstop: an interrupt makes the drill stop its modalities and delete its namespaces.
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void theShortDrillLosesNoStoredInstanceAndEveryModalityStoresAgainAfterEachFault() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        DicomlbStart start = DicomlbStart.java(Path.of(java), System.getProperty("java.class.path"), List.of(
                // The product's logging, not the harness's logback-test.xml first on this class path:
                // the appliances' logs in the results are then what an operator would read.
                "-D" + LogSetup.FORCE + "=appliance"));
        DrillSettings ci = DrillSettings.ci();

        DrillReport report = Drill.run(ci, start, out, System.err);

        String md = DrillTable.markdown(report);
        System.out.println(md);
        assertThat(report.checks()).as(md).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        assertThat(report.missingTotal()).as("instances with a success status missing from both archives").isZero();
        assertThat(report.scenarios()).extracting(ScenarioReport::number).containsExactly(1, 2);
        for (ScenarioReport s : report.scenarios()) {
            assertThat(s.modalities()).extracting(ModalityFigures::modality).containsExactly("legacy", "dns-aware");
            assertThat(s.modalities()).allSatisfy(m -> {
                assertThat(m.nextSuccessSeconds()).as(s.title() + ", " + m.modality() + ": next success").isNotNull();
                assertThat(m.confirmed()).as(s.title() + ", " + m.modality() + ": instances stored").isPositive();
            });
        }
        ModalityFigures legacyWhileArchiveDown = report.scenarios().getFirst().modalities().getFirst();
        assertThat(legacyWhileArchiveDown.atB()).as("the legacy modality reached site B through site A's dns backend").isPositive();
        assertThat(report.checks()).extracting(Check::name).contains(
                "site A's VIP moved to the peer",
                "every GSLB answers site B to the core until the failback",
                "after the failback the DNS-aware modality returns to site A");
        assertThat(Files.readString(out.resolve("timeline.log"))).contains("scenario 1", "scenario 2", "gslb failback");

        String ours = "dlbd" + ProcessHandle.current().pid();
        assertThat(Netns.host("ip", "netns", "list").lines().filter(l -> l.startsWith(ours)))
                .as("every namespace of the drill deleted").isEmpty();
    }

    @Test
    void scenarioListsAreCheckedBeforeAnythingIsBuilt() {
        assertThat(Scenario.parse("1, 2,5,6")).containsExactly(Scenario.ARCHIVE_KILLED, Scenario.MASTER_KILLED,
                Scenario.SITE_CUT_OFF, Scenario.SITE_BACK);
        assertThatThrownBy(() -> Scenario.parse("2,1")).hasMessageContaining("in their order");
        assertThatThrownBy(() -> Scenario.parse("6")).hasMessageContaining("go together");
        assertThatThrownBy(() -> Scenario.parse("1,7")).hasMessageContaining("unknown scenario '7'");
        assertThatThrownBy(() -> Scenario.parse("1,1")).hasMessageContaining("twice");
    }
}

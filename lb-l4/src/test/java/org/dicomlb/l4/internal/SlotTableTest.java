package org.dicomlb.l4.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotTableTest {
    private static final int SLOTS = SlotTable.SLOTS;

    private static int[] counts(int[] owners, int n) {
        int[] c = new int[n];
        for (int o : owners) {
            if (o >= 0) {
                c[o]++;
            }
        }
        return c;
    }

    @Test
    void sharesFollowTheWeights() {
        List<SlotTable.Candidate> cs = List.of(new SlotTable.Candidate("archive/a", 1), new SlotTable.Candidate("archive/b", 1),
                new SlotTable.Candidate("archive/c", 2));
        int[] c = counts(SlotTable.fill(cs, SLOTS), 3);
        assertThat(c[0] + c[1] + c[2]).isEqualTo(SLOTS);
        // Expected 1024, 1024, 2048; a few percent either way is the hash's spread.
        assertThat(c[0]).isBetween(900, 1150);
        assertThat(c[1]).isBetween(900, 1150);
        assertThat(c[2]).isBetween(1850, 2250);
    }

    @Test
    void aMemberLeavingMovesOnlyItsOwnSlots() {
        List<SlotTable.Candidate> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(new SlotTable.Candidate("archive/s" + i, 10 + i));
        }
        int[] before = SlotTable.fill(all, SLOTS);
        List<SlotTable.Candidate> without = new ArrayList<>(all);
        without.set(2, new SlotTable.Candidate("archive/s2", 0)); // down: weight 0, same positions
        int[] after = SlotTable.fill(without, SLOTS);
        int moved = 0;
        for (int s = 0; s < SLOTS; s++) {
            if (before[s] != 2) {
                assertThat(after[s]).as("slot %d of a member that stayed", s).isEqualTo(before[s]);
            } else {
                assertThat(after[s]).isNotEqualTo(2).isNotNegative();
                moved++;
            }
        }
        assertThat(moved).isPositive();
    }

    @Test
    void aMemberJoiningTakesSlotsAndMovesNothingElse() {
        List<SlotTable.Candidate> two = List.of(new SlotTable.Candidate("p/a", 1), new SlotTable.Candidate("p/b", 1),
                new SlotTable.Candidate("p/c", 0));
        List<SlotTable.Candidate> three = List.of(new SlotTable.Candidate("p/a", 1), new SlotTable.Candidate("p/b", 1),
                new SlotTable.Candidate("p/c", 1));
        int[] before = SlotTable.fill(two, SLOTS);
        int[] after = SlotTable.fill(three, SLOTS);
        for (int s = 0; s < SLOTS; s++) {
            assertThat(after[s] == before[s] || after[s] == 2).as("slot %d moves only to the newcomer", s).isTrue();
        }
        assertThat(counts(after, 3)[2]).isBetween(1200, 1550);
    }

    @Test
    void aGrowingWeightOnlyGainsSlots() {
        int[] previous = null;
        for (long w = 0; w <= 1000; w += 100) {
            int[] t = SlotTable.fill(List.of(new SlotTable.Candidate("p/a", 1000), new SlotTable.Candidate("p/ramp", w)), SLOTS);
            if (previous != null) {
                for (int s = 0; s < SLOTS; s++) {
                    if (previous[s] == 1) {
                        assertThat(t[s]).as("a slot the ramping member had").isEqualTo(1);
                    }
                }
            }
            previous = t;
        }
        assertThat(counts(previous, 2)[1]).isBetween(1900, 2200);
    }

    @Test
    void theTableDependsOnlyOnIdsAndWeightsNotOnOrder() {
        int[] ab = SlotTable.fill(List.of(new SlotTable.Candidate("p/a", 3), new SlotTable.Candidate("p/b", 5)), SLOTS);
        int[] ba = SlotTable.fill(List.of(new SlotTable.Candidate("p/b", 5), new SlotTable.Candidate("p/a", 3)), SLOTS);
        for (int s = 0; s < SLOTS; s++) {
            assertThat(ba[s]).isEqualTo(1 - ab[s]);
        }
        // Fixed values: another appliance (another JVM, another release) fills the same table.
        assertThat(SlotTable.seed("dicom")).isEqualTo(SlotTable.seed("dicom")).isNotEqualTo(SlotTable.seed("dicom2"));
        assertThat(SlotTable.hash("archive/a")).isEqualTo(0x1f4800b903d22e97L); // FNV-1a 64 and SplitMix64, computed apart
    }

    @Test
    void nobodyWithWeightMeansNoOwner() {
        assertThat(SlotTable.fill(List.of(new SlotTable.Candidate("p/a", 0)), 8)).containsOnly(-1);
        assertThat(SlotTable.fill(List.of(), 8)).containsOnly(-1);
        assertThat(SlotTable.first(List.of(new SlotTable.Candidate("p/a", 0), new SlotTable.Candidate("p/b", 2)), 8))
                .containsOnly(1);
    }
}

package org.dicomlb.engine.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.SourceLimits;
import org.junit.jupiter.api.Test;

/** Per-source accounting with a clock the test moves: limits, subnets, expiry and a full table. */
class SourceTableTest {
    private static final long SECOND = 1_000_000_000L;

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static SourceTable.Decision admit(SourceTable t, String address, long now) throws Exception {
        return t.admit(ip(address), now, () -> { });
    }

    @Test
    void concurrentConnectionsArePerSourceAndComeBackWhenConnectionsEnd() throws Exception {
        SourceTable t = new SourceTable(new SourceLimits(2, 0, 1, 32, 64, 1024));
        List<SourceTable.Admitted> open = new ArrayList<>();
        open.add((SourceTable.Admitted) admit(t, "127.0.0.21", 0));
        open.add((SourceTable.Admitted) admit(t, "127.0.0.21", 0));
        assertThat(admit(t, "127.0.0.21", 0)).isEqualTo(new SourceTable.Refused(EndReason.SOURCE_CONNECTIONS));
        assertThat(admit(t, "127.0.0.22", 0)).as("another source is not affected").isInstanceOf(SourceTable.Admitted.class);
        open.getFirst().release();
        assertThat(admit(t, "127.0.0.21", 0)).isInstanceOf(SourceTable.Admitted.class);
    }

    @Test
    void theRateAllowsABurstThenOneConnectionPerInterval() throws Exception {
        SourceTable t = new SourceTable(new SourceLimits(0, 2, 3, 32, 64, 1024));
        long now = 100 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertThat(admit(t, "127.0.0.21", now)).as("burst %d", i).isInstanceOf(SourceTable.Admitted.class);
        }
        assertThat(admit(t, "127.0.0.21", now)).isEqualTo(new SourceTable.Refused(EndReason.SOURCE_RATE));
        assertThat(admit(t, "127.0.0.21", now + SECOND / 2)).as("half a second later: one more").isInstanceOf(SourceTable.Admitted.class);
        assertThat(admit(t, "127.0.0.21", now + SECOND / 2)).isEqualTo(new SourceTable.Refused(EndReason.SOURCE_RATE));
        assertThat(admit(t, "127.0.0.21", now + 10 * SECOND)).isInstanceOf(SourceTable.Admitted.class);
    }

    @Test
    void aPrefixMakesASubnetOneSource() throws Exception {
        SourceTable t = new SourceTable(new SourceLimits(1, 0, 1, 24, 48, 1024));
        assertThat(admit(t, "127.0.5.1", 0)).isInstanceOf(SourceTable.Admitted.class);
        assertThat(admit(t, "127.0.5.200", 0)).isEqualTo(new SourceTable.Refused(EndReason.SOURCE_CONNECTIONS));
        assertThat(admit(t, "127.0.6.1", 0)).isInstanceOf(SourceTable.Admitted.class);
        assertThat(admit(t, "2001:db8:1:2::1", 0)).isInstanceOf(SourceTable.Admitted.class);
        assertThat(admit(t, "2001:db8:1:3::1", 0)).as("same /48").isEqualTo(new SourceTable.Refused(EndReason.SOURCE_CONNECTIONS));
    }

    @Test
    void idleSourcesLeaveTheTableAndAFullTableAdmitsNewSourcesUntracked() throws Exception {
        // Releases read the real clock, so this test's clock starts at it.
        long base = System.nanoTime();
        SourceTable t = new SourceTable(new SourceLimits(5, 1, 1, 32, 64, 16));
        List<SourceTable.Admitted> open = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            open.add((SourceTable.Admitted) admit(t, "127.0.1." + i, base));
        }
        assertThat(t.size()).isEqualTo(16);
        AtomicInteger untracked = new AtomicInteger();
        SourceTable.Decision d = t.admit(ip("127.0.2.1"), base, untracked::incrementAndGet);
        assertThat(d).isEqualTo(new SourceTable.Admitted(t, null));
        assertThat(untracked).hasValue(1);
        open.forEach(SourceTable.Admitted::release);
        // Still within their rate interval (one second): kept until it has passed, then swept.
        assertThat(t.size()).isEqualTo(16);
        t.sweep(base + 2 * SECOND, 0);
        assertThat(t.size()).isZero();
        assertThat(t.admit(ip("127.0.2.1"), base + 2 * SECOND, untracked::incrementAndGet)).isInstanceOf(SourceTable.Admitted.class);
        assertThat(untracked).hasValue(1);
    }
}

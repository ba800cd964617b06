package org.dicomlb.healthcheck.passive;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.dicomlb.healthcheck.config.PassiveConfig;
import org.junit.jupiter.api.Test;

class PassiveFilterTest {
    static final long SECOND = 1_000_000_000L;

    private static InetAddress client(int n) {
        return InetAddress.ofLiteral("127.1." + (n / 250) + "." + (1 + n % 250));
    }

    @Test
    void memoryStaysBoundedWhileCountingIsHeldBack() {
        PassiveFilter f = new PassiveFilter(new PassiveConfig(true, 2, Duration.ofMinutes(5)), 60 * SECOND);
        assertThat(f.failure(client(0), 0)).isFalse();
        assertThat(f.failure(client(1), 0)).isTrue();
        for (int i = 2; i < 5000; i++) {
            assertThat(f.failure(client(i), i)).as("within the minimum gap").isFalse();
        }
        assertThat(f.clients()).isEqualTo(PassiveFilter.MAX_TRACKED_CLIENTS);
        assertThat(f.failure(client(1), 60 * SECOND)).isTrue();
        assertThat(f.tallying()).isFalse();
    }

    @Test
    void theSameClientRepeatingIsStillOneClient() {
        PassiveFilter f = new PassiveFilter(new PassiveConfig(true, 3, Duration.ofSeconds(10)), 0);
        for (int i = 0; i < 100; i++) {
            assertThat(f.failure(client(7), i * SECOND / 10)).isFalse();
        }
        assertThat(f.failure(client(8), 10 * SECOND)).isFalse();
        assertThat(f.clients()).isEqualTo(2);
        assertThat(f.failure(client(9), 10 * SECOND)).isTrue();
    }
}

package org.dicomlb.dnsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomlb.dnsproxy.Fixture.at;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;
import org.dicomlb.dnsproxy.config.Family;
import org.dicomlb.dnsproxy.testing.Gdnsd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once against an independent DNS server: gdnsd from Debian in its own process, with a config
 * directory of its own and listening only on 127.0.0.1 at a free port. Its zone is rewritten and
 * reloaded the way an operator would ({@code gdnsdctl reload-zones}).
 */
class GdnsdTest {
    private static final String NAME = Gdnsd.NAME;

    @TempDir
    Path dir;

    @Test
    void followsGdnsdsAnswerWhenItsZoneChanges() throws Exception {
        try (Gdnsd server = Gdnsd.start(dir, "127.0.1.1"); Fixture f = new Fixture()) {
            DnsBackendConfig c = DnsBackendConfig.of(NAME, 104, List.of(server.address()))
                    .withTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 3);
            f.apply(Map.of(
                    "legacy/gslb", c,
                    "legacy/missing", c.withName("missing.example.org"),
                    "legacy/v6", c.withFamily(Family.IPV6)));

            Resolution first = awaitOrExplain(f, server, "legacy/gslb", r -> r.up());
            assertThat(first.addresses()).containsExactly(at("127.0.1.1"));
            assertThat(awaitOrExplain(f, server, "legacy/missing", r -> r.result() == RoundResult.NXDOMAIN).up()).isFalse();
            assertThat(awaitOrExplain(f, server, "legacy/v6", r -> r.result() == RoundResult.NODATA).up()).isFalse();

            server.answer("127.0.2.1");

            Resolution moved = awaitOrExplain(f, server, "legacy/gslb", r -> r.addresses().equals(List.of(at("127.0.2.1"))));
            assertThat(moved.up()).isTrue();
            assertThat(f.events("legacy/gslb")).filteredOn(r -> r.result() != RoundResult.PENDING).allMatch(Resolution::up);
        }
    }

    private static Resolution awaitOrExplain(Fixture f, Gdnsd server, String id, Predicate<Resolution> p)
            throws Exception {
        try {
            return f.await(id, r -> p.test(r) || !server.alive());
        } finally {
            if (!server.alive()) {
                throw new AssertionError("gdnsd exited: " + server.log());
            }
        }
    }
}

package org.dicomlb.dnsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.dnsproxy.Fixture.at;
import static org.dicomlb.dnsproxy.Fixture.config;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.dnsproxy.config.AddressMode;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;
import org.dicomlb.dnsproxy.config.Family;
import org.dicomlb.dnsproxy.internal.DnsMeters;
import org.dicomlb.dnsproxy.testing.TestDnsServer;
import org.dicomlb.io.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The dns backend against DNS servers the test controls (real UDP and TCP on loopback), through
 * the public API: what the engine's pools would see.
 */
class DnsBackendsTest {
    private static final String NAME = "dicom.example.org";
    private static final String ID = "legacy/via-gslb";
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @Test
    void anAnswerChangeIsPublishedByTheNextRound() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer dns = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            f.apply(Map.of(ID, config(NAME, INTERVAL, 3, dns)));

            Resolution up = f.awaitEvent(ID, Resolution::up);
            assertThat(up.addresses()).containsExactly(at("127.0.1.1"));
            assertThat(up.resolver()).contains(dns.address());
            assertThat(up.result()).isEqualTo(RoundResult.ANSWER);
            assertThat(f.events(ID).getFirst().result()).as("down until the first answer").isEqualTo(RoundResult.PENDING);

            dns.answer(NAME, "127.0.2.1");
            double roundsAtChange = f.count(DnsMeters.RESOLUTIONS, ID);
            Resolution moved = f.awaitEvent(ID, r -> r.addresses().equals(List.of(at("127.0.2.1"))));
            // A round already under way may still bring the old answer; the one after it must bring the new.
            assertThat(f.count(DnsMeters.RESOLUTIONS, ID, "result", "answer")).isLessThanOrEqualTo(roundsAtChange + 2);
            assertThat(moved.up()).isTrue();
            assertThat(f.events(ID)).as("never down while the answer changed").noneMatch(r -> r.result() != RoundResult.PENDING && !r.up());
            assertThat(f.count(DnsMeters.ADDRESS_CHANGES, ID)).isEqualTo(1);
            assertThat(f.registry.get(DnsMeters.ADDRESSES).tag("backend", "via-gslb").gauge().value()).isEqualTo(1);
        }
    }

    /** Each way a first resolver can fail: the second answers and the backend never goes down. */
    @ParameterizedTest
    @EnumSource(value = TestDnsServer.Mode.class, names = {"SILENT", "SERVFAIL", "REFUSED", "WRONG_ID"})
    void whenTheFirstResolverFailsTheSecondAnswers(TestDnsServer.Mode failure) throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer first = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            TestDnsServer second = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            f.apply(Map.of(ID, config(NAME, INTERVAL, 3, first, second)));
            assertThat(f.awaitEvent(ID, Resolution::up).resolver()).contains(first.address());

            first.mode(failure);
            Resolution r = f.await(ID, x -> x.resolver().equals(java.util.Optional.of(second.address())));
            assertThat(r.up()).isTrue();
            assertThat(r.addresses()).containsExactly(at("127.0.1.1"));
            assertThat(r.consecutiveFailures()).isZero();
            assertThat(f.events(ID)).as("nothing went down").filteredOn(x -> x.result() != RoundResult.PENDING)
                    .allMatch(Resolution::up);
            String tag = switch (failure) {
                case SILENT, WRONG_ID -> "timeout";
                default -> failure.name().toLowerCase(java.util.Locale.ROOT);
            };
            Fixture.waitFor("the failure counted", () -> f.count(DnsMeters.QUERIES, ID, "result", tag) >= 1);
        }
    }

    @Test
    void whenTheFirstResolverIsStoppedTheSecondAnswersAtOnce() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer first = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            TestDnsServer second = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            // A timeout long enough that only the port-unreachable path can make the test pass quickly enough.
            DnsBackendConfig c = config(NAME, INTERVAL, 3, first, second).withTiming(INTERVAL, Duration.ofMillis(900), 3);
            f.apply(Map.of(ID, c));
            f.awaitEvent(ID, Resolution::up);

            first.stop();
            Resolution r = f.await(ID, x -> x.resolver().equals(java.util.Optional.of(second.address())));
            assertThat(r.up()).isTrue();
            assertThat(f.events(ID)).filteredOn(x -> x.result() != RoundResult.PENDING).allMatch(Resolution::up);
            assertThat(f.count(DnsMeters.QUERIES, ID, "result", "error")).as("port unreachable is an error, not a timeout")
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void whenEveryResolverFailsTheLastAnswerIsKeptForResolveFallRoundsThenDownThenUpAgain() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer first = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            TestDnsServer second = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            f.apply(Map.of(ID, config(NAME, INTERVAL, 3, first, second)));
            f.awaitEvent(ID, Resolution::up);

            first.stop();
            second.stop();
            Resolution kept = f.await(ID, r -> r.consecutiveFailures() == 2);
            assertThat(kept.up()).as("kept through 2 of 3 failed rounds").isTrue();
            assertThat(kept.addresses()).containsExactly(at("127.0.1.1"));
            assertThat(kept.result()).isEqualTo(RoundResult.FAILED);
            assertThat(kept.reason()).hasValueSatisfying(why -> assertThat(why).contains("keeping the last answer (2 of 3"));

            Resolution down = f.awaitEvent(ID, r -> !r.up() && r.result() == RoundResult.FAILED);
            assertThat(down.consecutiveFailures()).as("down exactly at resolve-fall").isEqualTo(3);
            assertThat(down.addresses()).isEmpty();
            assertThat(down.reason()).hasValueSatisfying(why -> assertThat(why)
                    .contains(Fixture.format(first.address()) + " port unreachable")
                    .contains(Fixture.format(second.address()))
                    .contains("resolve-fall 3"));
            assertThat(f.events(ID).stream().filter(r -> !r.up() && r.result() != RoundResult.PENDING))
                    .as("one down event, none before resolve-fall").hasSize(1);
            assertThat(f.registry.get(DnsMeters.UP).tag("backend", "via-gslb").gauge().value()).isZero();

            second.answer(NAME, "127.0.2.1").restart();
            Resolution back = f.awaitEvent(ID, r -> r.up() && r.addresses().equals(List.of(at("127.0.2.1"))));
            assertThat(back.resolver()).contains(second.address());
            assertThat(back.consecutiveFailures()).isZero();
            assertThat(f.count(DnsMeters.RESOLUTIONS, ID, "result", "failed")).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aNameThatCannotBeResolvedAtStartIsDownUntilTheFirstAnswer() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer dns = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            dns.stop();
            f.apply(Map.of(ID, config(NAME, INTERVAL, 3, dns)));
            Resolution failing = f.await(ID, r -> r.result() == RoundResult.FAILED);
            assertThat(failing.up()).isFalse();
            assertThat(failing.reason()).hasValueSatisfying(why -> assertThat(why).startsWith("no resolver answered"));

            dns.restart();
            assertThat(f.awaitEvent(ID, Resolution::up).addresses()).containsExactly(at("127.0.1.1"));
        }
    }

    @Test
    void nxdomainAndNodataAreAnswersThatTakeTheBackendDownAtOnce() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer first = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            TestDnsServer second = f.server("127.0.0.1").answer(NAME, "127.0.1.1");
            f.apply(Map.of(ID, config(NAME, INTERVAL, 3, first, second)));
            f.awaitEvent(ID, Resolution::up);

            first.mode(TestDnsServer.Mode.NXDOMAIN);
            Resolution nx = f.awaitEvent(ID, r -> r.result() == RoundResult.NXDOMAIN);
            assertThat(nx.up()).isFalse();
            assertThat(nx.consecutiveFailures()).as("an answer, not a failure").isZero();
            assertThat(nx.resolver()).as("the second resolver is not asked").contains(first.address());
            assertThat(nx.reason()).hasValueSatisfying(why -> assertThat(why).contains("NXDOMAIN"));

            first.mode(TestDnsServer.Mode.ANSWER);
            f.awaitEvent(ID, r -> r.up() && r.answeredAt().orElseThrow().isAfter(nx.answeredAt().orElseThrow()));

            first.mode(TestDnsServer.Mode.NODATA);
            Resolution nodata = f.awaitEvent(ID, r -> r.result() == RoundResult.NODATA);
            assertThat(nodata.up()).isFalse();
            assertThat(nodata.resolver()).contains(first.address());
            assertThat(f.count(DnsMeters.RESOLUTIONS, ID, "result", "nxdomain")).isGreaterThanOrEqualTo(1);
            assertThat(f.count(DnsMeters.RESOLUTIONS, ID, "result", "nodata")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aTruncatedUdpAnswerIsAskedAgainOverTcp() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer dns = f.server("127.0.0.1").answer(NAME, "127.0.1.1").mode(TestDnsServer.Mode.TRUNCATE);
            f.apply(Map.of(ID, config(NAME, INTERVAL, 3, dns)));
            Resolution r = f.awaitEvent(ID, Resolution::up);
            assertThat(r.addresses()).containsExactly(at("127.0.1.1"));
            assertThat(dns.tcpQueries()).isGreaterThanOrEqualTo(1);
            assertThat(f.count(DnsMeters.QUERIES, ID, "protocol", "udp", "result", "truncated")).isGreaterThanOrEqualTo(1);
            assertThat(f.count(DnsMeters.QUERIES, ID, "protocol", "tcp", "result", "answer")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void familyChoosesTheRecordsAsked() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer dns = f.server("127.0.0.1")
                    .answer(NAME, "127.0.1.1", "fd00::1")
                    .answer("v4only.example.org", "127.0.1.2");
            DnsBackendConfig base = config(NAME, INTERVAL, 3, dns);
            f.apply(Map.of(
                    "p/v4", base.withFamily(Family.IPV4).withAddresses(AddressMode.ALL),
                    "p/v6", base.withFamily(Family.IPV6).withAddresses(AddressMode.ALL),
                    "p/any", base.withFamily(Family.ANY).withAddresses(AddressMode.ALL),
                    "p/v6-of-v4only", base.withName("v4only.example.org").withFamily(Family.IPV6)));
            assertThat(f.awaitEvent("p/v4", Resolution::up).addresses()).containsExactly(at("127.0.1.1"));
            assertThat(f.awaitEvent("p/v6", Resolution::up).addresses()).containsExactly(at("fd00::1"));
            assertThat(f.awaitEvent("p/any", Resolution::up).addresses()).containsExactly(at("127.0.1.1"), at("fd00::1"));
            Resolution none = f.await("p/v6-of-v4only", r -> r.result() != RoundResult.PENDING);
            assertThat(none.result()).as("a name with only A records asked for AAAA").isEqualTo(RoundResult.NODATA);
            assertThat(none.up()).isFalse();
        }
    }

    @Test
    void addressesFirstTakesTheResolversFirstAndAllTakesEveryAddressInNumericOrder() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer dns = f.server("127.0.0.1").answer(NAME, "127.0.1.3", "127.0.1.1", "127.0.1.2", "127.0.1.1");
            DnsBackendConfig base = config(NAME, INTERVAL, 3, dns);
            f.apply(Map.of("p/first", base, "p/all", base.withAddresses(AddressMode.ALL)));
            assertThat(f.awaitEvent("p/first", Resolution::up).addresses()).containsExactly(at("127.0.1.3"));
            assertThat(f.awaitEvent("p/all", Resolution::up).addresses())
                    .containsExactly(at("127.0.1.1"), at("127.0.1.2"), at("127.0.1.3"));

            // A resolver that rotates its answer changes nothing for 'all'.
            double changes = f.count(DnsMeters.ADDRESS_CHANGES, "p/all");
            dns.answer(NAME, "127.0.1.2", "127.0.1.3", "127.0.1.1");
            f.awaitEvent("p/first", r -> r.addresses().equals(List.of(at("127.0.1.2"))));
            assertThat(f.count(DnsMeters.ADDRESS_CHANGES, "p/all")).isEqualTo(changes);
            assertThat(f.events("p/all")).filteredOn(Resolution::up).hasSize(1);
        }
    }

    @Test
    void aCnameChainIsFollowed() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer dns = f.server("127.0.0.1")
                    .cname(NAME, "site-a.example.org")
                    .cname("site-a.example.org", "pacs.site-a.example.org")
                    .answer("pacs.site-a.example.org", "127.0.1.7");
            f.apply(Map.of(ID, config(NAME, INTERVAL, 3, dns)));
            assertThat(f.awaitEvent(ID, Resolution::up).addresses()).containsExactly(at("127.0.1.7"));
        }
    }

    @Test
    void reloadsKeepTheAddressesInUseAndApplyANewPortAtOnce() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer dns = f.server("127.0.0.1").answer(NAME, "127.0.1.1").answer("other.example.org", "127.0.3.1");
            DnsBackendConfig c = config(NAME, Duration.ofMinutes(10), 3, dns);
            f.apply(Map.of(ID, c, "p/gone", c));
            f.awaitEvent(ID, Resolution::up);
            f.awaitEvent("p/gone", Resolution::up);
            int queries = dns.udpQueries();

            // A new port needs no new question: the last answer gets it at once.
            f.apply(Map.of(ID, c.withPort(11112)));
            Resolution ported = f.awaitEvent(ID, r -> r.up() && r.addresses().getFirst().getPort() == 11112);
            assertThat(ported.addresses()).containsExactly(new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("127.0.1.1"), 11112));
            assertThat(dns.udpQueries()).isEqualTo(queries);
            assertThat(f.dns.resolution("p/gone")).as("a backend left out of the config stops").isEmpty();
            assertThat(f.registry.find(DnsMeters.UP).tag("backend", "gone").gauges()).isEmpty();

            // A new name is asked at once, not after the 10-minute interval; nothing goes down in between.
            f.apply(Map.of(ID, c.withPort(11112).withName("other.example.org")));
            Resolution renamed = f.awaitEvent(ID, r -> r.up() && r.addresses().getFirst().getAddress().getHostAddress().equals("127.0.3.1"));
            assertThat(renamed.name()).isEqualTo("other.example.org");
            assertThat(f.events(ID)).filteredOn(x -> x.result() != RoundResult.PENDING).allMatch(Resolution::up);
        }
    }

    @Test
    void theStatusShowsTheAddressesTheResolverAndWhenAsTheAdminApiWritesIt() throws Exception {
        try (Fixture f = new Fixture()) {
            TestDnsServer dns = f.server("127.0.0.1").answer(NAME, "127.0.1.1", "127.0.1.2");
            f.apply(Map.of(ID, config(NAME, INTERVAL, 3, dns).withAddresses(AddressMode.ALL)));
            Resolution up = f.awaitEvent(ID, Resolution::up);

            var json = new com.fasterxml.jackson.databind.ObjectMapper()
                    .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
            var backend = json.readTree(json.writeValueAsString(f.dns.status())).get("backends").get(0);
            assertThat(backend.get("id").asText()).isEqualTo(ID);
            assertThat(backend.get("name").asText()).isEqualTo(NAME);
            assertThat(backend.get("state").asText()).isEqualTo("up");
            assertThat(backend.get("addresses").toString()).isEqualTo("[\"127.0.1.1:104\",\"127.0.1.2:104\"]");
            assertThat(backend.get("resolver").asText()).isEqualTo(Fixture.format(dns.address()));
            assertThat(java.time.Instant.parse(backend.get("answered_at").asText())).isAfterOrEqualTo(up.answeredAt().orElseThrow());
            assertThat(backend.get("result").asText()).isEqualTo("answer");
            assertThat(backend.get("consecutive_failures").asInt()).isZero();
            assertThat(backend.get("resolve_fall").asInt()).isEqualTo(3);
            assertThat(backend.get("reason").isNull()).isTrue();
            assertThat(backend.get("resolve_interval").asText()).isEqualTo("1s");
        }
    }

    @Test
    void manyNamesAreSpreadOverTimeAndBoundedInFlight() throws Exception {
        // One round at a time: every name still resolves, waiting its turn.
        try (Fixture f = new Fixture(1)) {
            TestDnsServer dns = f.server("127.0.0.1");
            Map<String, DnsBackendConfig> many = new java.util.HashMap<>();
            for (int i = 0; i < 200; i++) {
                dns.answer("n" + i + ".example.org", "127.0.4." + (i % 250 + 1));
                many.put("p/n" + i, config("n" + i + ".example.org", Duration.ofSeconds(5), 3, dns));
            }
            f.apply(many);
            Fixture.waitFor("every name up", () -> f.dns.resolutions().stream().filter(Resolution::up).count() == 200);
            List<Long> firstAnswers = f.dns.resolutions().stream()
                    .map(r -> r.answeredAt().orElseThrow().toEpochMilli()).sorted().toList();
            // Added together, resolved at random points of the first second: not all in one burst.
            assertThat(firstAnswers.stream().distinct().count()).isGreaterThan(50);
            assertThat(firstAnswers.getLast() - firstAnswers.getFirst()).isGreaterThan(300);
            assertThat(f.dns.status().backends()).hasSize(200);
        }
    }

    /**
     * An appliance without dns backends subscribes and applies an empty set at every start and
     * reload: that starts neither the loop's thread nor a callback. The first backend starts the
     * loop, and a subscriber from before gets its resolutions.
     */
    @Test
    void withoutBackendsNoThreadRunsAndTheFirstBackendStartsThem() throws Exception {
        Transport t = Transport.best();
        String loopName = "test-dns-not-yet";
        EventLoopGroup group = t.newGroup(1, loopName);
        AtomicInteger callbacks = new AtomicInteger();
        List<Resolution> seen = new CopyOnWriteArrayList<>();
        try (TestDnsServer server = TestDnsServer.start("127.0.0.1").answer(NAME, "127.0.1.1")) {
            DnsBackends dns = DnsBackends.builder(group, t).callbackExecutor(r -> {
                callbacks.incrementAndGet();
                r.run();
            }).build();
            dns.subscribe(seen::add);
            dns.apply(Map.of()).get(10, TimeUnit.SECONDS);
            dns.apply(Map.of()).get(10, TimeUnit.SECONDS);
            assertThat(threadsNamed(loopName)).isZero();
            assertThat(callbacks).hasValue(0);
            assertThat(dns.status().backends()).isEmpty();

            dns.apply(Map.of(ID, config(NAME, INTERVAL, 3, server))).get(10, TimeUnit.SECONDS);
            Fixture.waitFor("the subscriber told of the answer", () -> seen.stream().anyMatch(Resolution::up));
            assertThat(threadsNamed(loopName)).isEqualTo(1);
            assertThat(seen.getLast().addresses()).containsExactly(at("127.0.1.1"));
            dns.close();
            assertThatThrownBy(() -> dns.apply(Map.of(ID, config(NAME, INTERVAL, 3, server))).join())
                    .hasMessageContaining("closed");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void closedBeforeAnyBackendItRefusesOne() {
        Transport t = Transport.best();
        EventLoopGroup group = t.newGroup(1, "test-dns-closed-early");
        try {
            DnsBackends dns = DnsBackends.builder(group, t).build();
            dns.close();
            assertThatThrownBy(() -> dns.apply(Map.of(ID, DnsBackendConfig.of(NAME, 104, List.of(at("127.0.0.1"))))).join())
                    .hasMessageContaining("the dns backends are closed");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(th -> th.getName().startsWith(prefix)).count();
    }
}

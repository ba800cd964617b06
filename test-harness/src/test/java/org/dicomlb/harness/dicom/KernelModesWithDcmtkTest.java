package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.Main;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.testkit.Ports;
import org.dicomlb.vip.testing.Lab;
import org.dicomlb.vip.testing.Tools;
import org.dicomlb.vip.testing.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel listeners end to end: a real {@code dicomlb run} process in its own namespace serves
 * a {@code mode: dsr} (then a {@code mode: nat}) listener with nftables; DCMTK storescu in a client
 * namespace stores instances through it into two DCMTK storescp real servers. Health, admin drain
 * and reload drive what the kernel does, seen by the clients and in {@code dicomlb status}. Also
 * a transparent ({@code source: client}) dicom listener and a VIP pair taking a dsr flow over; each
 * test's own addresses are in its comment. Every namespace is the test's own ({@link Lab}: unique
 * names, removed with every process in them when the test ends, passed or failed).
 *
 * <p>Addresses of the dsr and nat tests (TEST-NET-2, inside the test's namespaces only, joined by
 * a bridge in {@code -br}):
 * <ul>
 *   <li>{@code -lb}: eth0 198.51.100.1/24 and the VIP 198.51.100.10/32 (so it answers ARP for the
 *       VIP, as keepalived would make it); dicomlb, its admin listener on its own 127.0.0.1</li>
 *   <li>{@code -rs1}: eth0 198.51.100.11/24, storescp; for dsr the VIP on lo with arp_ignore and
 *       arp_announce, set by {@code dicomlb realserver-setup --apply}</li>
 *   <li>{@code -rs2}: eth0 198.51.100.12/24, the same</li>
 *   <li>{@code -cl}: eth0 198.51.100.100/24, storescu (the modality)</li>
 * </ul>
 */
class KernelModesWithDcmtkTest {
    private static final String VIP = "198.51.100.10";
    private static final String CLIENT = "198.51.100.100";
    private static final String LB = "198.51.100.1";
    private static final Map<String, String> ADDRESS = Map.of("rs1", "198.51.100.11", "rs2", "198.51.100.12");
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** A-RELEASE-RQ: type 5, length 4, reserved. */
    private static final String RELEASE_RQ = "\\x05\\x00\\x00\\x00\\x00\\x04\\x00\\x00\\x00\\x00";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Kept when the test fails: the appliance's log, storescp's logs and files, the configurations. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    private final List<String> measured = new ArrayList<>();
    private int instanceNumber = 7000;

    private String yaml(String mode, int dicomPort, int adminPort, List<String> servers) {
        StringBuilder backends = new StringBuilder();
        for (String rs : servers) {
            backends.append("      - { name: ").append(rs).append(", address: ").append(ADDRESS.get(rs)).append(':')
                    .append(dicomPort).append(" }\n");
        }
        String listener = mode.equals("dsr") ? "mode: dsr, interface: eth0" : "mode: nat, source: appliance";
        return """
                admin: { listen: 127.0.0.1:%d }
                listeners:
                  - { name: images, bind: %s:%d, %s, pool: archive }
                pools:
                  - name: archive
                    health-check: { type: tcp, interval: 1s, fast-interval: 300ms, timeout: 500ms, fall: 2, rise: 1 }
                    backends:
                %s""".formatted(adminPort, VIP, dicomPort, listener, backends);
    }

    private Process dicomlb(Lab lab, Path config) throws IOException {
        return dicomlb(lab, "lb", config);
    }

    private Process dicomlb(Lab lab, String role, Path config) throws IOException {
        Path dir = Files.createDirectories(work.resolve(role));
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path logback = Files.writeString(work.resolve("node-logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.netty" level="WARN"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        return lab.spawn(role, List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx192m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + logback, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "-c", config.toString(), "--runtime-dir", dir.resolve("run").toString(), "--access-log",
                dir.resolve("access.log").toString(), "--shutdown-grace", "2s"), dir.resolve("dicomlb.log"));
    }

    /** A dicomlb command run inside {@code role}'s namespace (with {@code --admin} when adminPort > 0). */
    private static String cli(Lab lab, String role, int adminPort, String... args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        if (adminPort > 0) {
            cmd.addAll(List.of("--admin", "127.0.0.1:" + adminPort));
        }
        return lab.exec(role, cmd.toArray(String[]::new));
    }

    /** Each real server's state in the kernel listener, from {@code dicomlb status --json}; empty when it cannot be asked. */
    private static Map<String, JsonNode> backends(Lab lab, int adminPort) {
        return backends(lab, "lb", adminPort);
    }

    private static Map<String, JsonNode> backends(Lab lab, String role, int adminPort) {
        Map<String, JsonNode> out = new HashMap<>();
        try {
            JsonNode s = JSON.readTree(cli(lab, role, adminPort, "status", "--json"));
            for (JsonNode l : s.path("l4").path("listeners")) {
                for (JsonNode b : l.path("backends")) {
                    out.put(b.path("name").asText(), b);
                }
            }
        } catch (IOException | IllegalStateException e) {
            return Map.of();
        }
        return out;
    }

    private static String state(Lab lab, int adminPort, String rs) {
        JsonNode b = backends(lab, adminPort).get(rs);
        return b == null ? "" : b.path("state").asText();
    }

    private Process storescp(Lab lab, String rs, int port) throws IOException {
        Path dir = Files.createDirectories(work.resolve("archive-" + rs));
        // -dhl: no reverse lookup of the peer's address (the namespaces have no resolver; with a
        // default route the lookup would wait out its timeout on every association).
        return lab.spawn(rs, List.of(Dcmtk.storescp().toString(), "--fork", "+B", "-dhl", "-aet", "ARCHIVE", "-od", dir.toString(),
                Integer.toString(port)), work.resolve("storescp-" + rs + ".log"));
    }

    /** The SOP Instance UIDs stored by {@code rs}'s storescp. */
    private Set<String> stored(String rs) {
        Set<String> uids = new HashSet<>();
        try (var files = Files.list(work.resolve("archive-" + rs))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                uids.add(TestInstances.part10(f).sopInstanceUid());
            }
        } catch (IOException | RuntimeException e) {
            // a file still being written: the caller's next poll reads it whole
        }
        return uids;
    }

    /**
     * Stores {@code count} instances, one association (one storescu, one client port, so one flow)
     * each, through the VIP; every association must succeed. Returns them by SOP Instance UID.
     */
    private Map<String, TestInstances.Instance> store(Lab lab, int port, int count) throws IOException {
        return store(lab, VIP, port, count);
    }

    private Map<String, TestInstances.Instance> store(Lab lab, String host, int port, int count) throws IOException {
        Map<String, TestInstances.Instance> sent = new HashMap<>();
        for (int i = 0; i < count; i++) {
            TestInstances.Instance inst = TestInstances.secondaryCapture(work.resolve("source"), instanceNumber++, 256, 256,
                    false);
            String out = lab.exec("cl", "timeout", "60", Dcmtk.storescu().toString(), "-v", "-to", "10", "-ta", "10", "-td",
                    "20", "-aet", "MODALITY1", "-aec", "ARCHIVE", host, Integer.toString(port), inst.file().toString());
            assertThat(out).contains("Received Store Response (Success)");
            sent.put(inst.sopInstanceUid(), inst);
        }
        return sent;
    }

    /** Which real servers hold which of {@code sent}, once each is stored whole; every stored one byte-identical. */
    private Map<String, Set<String>> whereStored(Map<String, TestInstances.Instance> sent) throws IOException {
        Wait.until(SETTLE, "every instance to be stored", () -> {
            Set<String> all = new HashSet<>(stored("rs1"));
            all.addAll(stored("rs2"));
            return all.containsAll(sent.keySet());
        });
        Map<String, Set<String>> where = new HashMap<>();
        for (String rs : List.of("rs1", "rs2")) {
            Set<String> mine = new HashSet<>(stored(rs));
            mine.retainAll(sent.keySet());
            where.put(rs, mine);
            if (!Files.isDirectory(work.resolve("archive-" + rs))) {
                continue;
            }
            try (var files = Files.list(work.resolve("archive-" + rs))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    TestInstances.Part10 got = TestInstances.part10(f);
                    TestInstances.Instance source = sent.get(got.sopInstanceUid());
                    if (source != null) {
                        assertThat(got.dataSet()).as("instance " + got.sopInstanceUid() + " on " + rs)
                                .isEqualTo(TestInstances.part10(source.file()).dataSet());
                    }
                }
            }
        }
        return where;
    }

    /** The client addresses of the associations {@code rs} has open on {@code port}, as its kernel sees them. */
    private static List<String> peers(Lab lab, String rs, int port) {
        return lab.exec(rs, "ss", "-Htn", "state", "established", "( sport = :" + port + " )").lines()
                .map(l -> l.strip().split("\\s+")).filter(f -> f.length >= 4).map(f -> f[f.length - 1])
                .map(p -> p.substring(0, p.lastIndexOf(':'))).toList();
    }

    /**
     * An association opened from the client and held open (A-ASSOCIATE-RQ sent, AC read) until
     * the file {@code go} appears; then it sends A-RELEASE-RQ and writes the first octet of the
     * answer (06: A-RELEASE-RP) to {@code rp.txt}.
     */
    private Path hold(Lab lab, int port) throws IOException {
        return hold(lab, VIP, port, "held");
    }

    private Path hold(Lab lab, String host, int port, String name) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Path rq = Files.write(dir.resolve("rq.pdu"), org.dicomlb.engine.dicom.Pdus.rq("ARCHIVE", "HOLDER"));
        // The AC's header (type, reserved, 4-octet length), then the rest of it, so that the next
        // octet read is the first of the answer to the release.
        lab.spawn("cl", List.of("bash", "-c", "exec 3<>/dev/tcp/" + host + "/" + port + " && cat '" + rq + "' >&3"
                + " && h=($(timeout 30 head -c 6 <&3 | od -An -tu1)) && echo ${h[0]} > '" + dir.resolve("ac.txt") + "'"
                + " && timeout 30 head -c $(( (h[2] << 24) | (h[3] << 16) | (h[4] << 8) | h[5] )) <&3 > /dev/null"
                + " && while [ ! -e '" + dir.resolve("go") + "' ]; do sleep 0.1; done"
                + " && printf '" + RELEASE_RQ + "' >&3"
                + " && timeout 30 head -c 1 <&3 | od -An -tu1 > '" + dir.resolve("rp.txt") + "'"), dir.resolve("held.log"));
        Wait.until(SETTLE, "the held association to be accepted", () -> read(dir.resolve("ac.txt")).equals("2"));
        return dir;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private Lab lab(boolean dsr) {
        Tools.require("nft", "nftables");
        Dcmtk.storescp();
        Lab lab = new Lab();
        lab.attach("lb", LB + "/24");
        lab.attach("rs1", ADDRESS.get("rs1") + "/24");
        lab.attach("rs2", ADDRESS.get("rs2") + "/24");
        lab.attach("cl", CLIENT + "/24");
        lab.exec("lb", "ip", "addr", "add", VIP + "/32", "dev", "eth0");
        if (dsr) {
            for (String rs : List.of("rs1", "rs2")) {
                String out = cli(lab, rs, 0, "realserver-setup", "--apply", VIP);
                assertThat(out).contains("done: accept packets for the VIP");
                assertThat(lab.exec(rs, "sysctl", "-n", "net.ipv4.conf.all.arp_ignore").strip()).isEqualTo("1");
            }
        } else {
            lab.exec("lb", "sysctl", "-qw", "net.ipv4.ip_forward=1");
        }
        return lab;
    }

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void dsrStoresEveryInstanceDirectlyAndFollowsHealthDrainAndReload() throws Exception {
        int port = Ports.free();
        int admin = Ports.free();
        try (Lab lab = lab(true)) {
            Map<String, Process> servers = new HashMap<>();
            for (String rs : List.of("rs1", "rs2")) {
                servers.put(rs, storescp(lab, rs, port));
            }
            Path config = Files.writeString(work.resolve("dsr.yaml"), yaml("dsr", port, admin, List.of("rs1", "rs2")));
            Process lb = dicomlb(lab, config);
            Wait.until(SETTLE, "both real servers to be forwarding", () -> state(lab, admin, "rs1").equals("forwarding")
                    && state(lab, admin, "rs2").equals("forwarding"));
            // The frames go out with the real servers' MACs, as the appliance's neighbour table has them.
            Map<String, JsonNode> b = backends(lab, admin);
            assertThat(b.get("rs1").path("mac").asText()).isEqualTo(lab.exec("rs1", "cat", "/sys/class/net/eth0/address").strip());

            // 16 associations, each its own flow: both real servers take some, every instance arrives whole.
            Map<String, TestInstances.Instance> sent = store(lab, port, 16);
            Map<String, Set<String>> where = whereStored(sent);
            measured.add("dsr: 16 associations stored, rs1 " + where.get("rs1").size() + ", rs2 " + where.get("rs2").size());
            assertThat(where.get("rs1")).isNotEmpty();
            assertThat(where.get("rs2")).isNotEmpty();
            // The kernel counted what it forwarded, per real server, in status and in the metrics.
            Wait.until(SETTLE, "the nft counters to be read", () -> backends(lab, admin).get("rs1").path("packets").asLong() > 0
                    && backends(lab, admin).get("rs2").path("packets").asLong() > 0);
            String metrics = lab.exec("lb", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + admin
                    + "; printf 'GET /metrics HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3; cat <&3");
            assertThat(metrics).contains("dicomlb_l4_packets_total{backend=\"rs1\"", "dicomlb_l4_bytes_total{backend=\"rs2\"");
            String human = cli(lab, "lb", admin, "status");
            assertThat(human).contains("dsr images " + VIP + ":" + port + " on eth0 -> pool archive", "serving: yes");

            // An association held open lands on one real server, which sees the client's own address.
            Path held = hold(lab, port);
            String holder = null;
            for (String rs : List.of("rs1", "rs2")) {
                if (peers(lab, rs, port).contains(CLIENT)) {
                    holder = rs;
                }
            }
            assertThat(holder).as("a real server with the client's association open").isNotNull();
            String other = holder.equals("rs1") ? "rs2" : "rs1";

            // Drain the holder: new associations go to the other one, the held one stays where it is.
            cli(lab, "lb", admin, "drain", "archive/" + holder);
            final String drained = holder;
            Wait.until(SETTLE, "the holder to drain", () -> state(lab, admin, drained).equals("draining"));
            Map<String, TestInstances.Instance> whileDrained = store(lab, port, 4);
            assertThat(whereStored(whileDrained).get(other)).containsExactlyInAnyOrderElementsOf(whileDrained.keySet());
            Files.writeString(held.resolve("go"), "");
            Wait.until(SETTLE, "the held association to be released", () -> !read(held.resolve("rp.txt")).isEmpty());
            assertThat(read(held.resolve("rp.txt"))).as("A-RELEASE-RP from the drained real server").isEqualTo("6");
            cli(lab, "lb", admin, "ready", "archive/" + holder);
            Wait.until(SETTLE, "the holder to take new flows again", () -> state(lab, admin, drained).equals("forwarding"));

            // A second association held open, on real server X; the other one's storescp dies: within
            // the health bound it leaves the table, every new flow goes to X, and X's open one goes on.
            Path held2 = hold(lab, VIP, port, "held2");
            String keeper = peers(lab, "rs1", port).contains(CLIENT) ? "rs1" : "rs2";
            assertThat(peers(lab, keeper, port)).contains(CLIENT);
            String victim = keeper.equals("rs1") ? "rs2" : "rs1";
            long t0 = System.nanoTime();
            servers.get(victim).destroyForcibly();
            Wait.until(SETTLE, "the killed one to be down", () -> state(lab, admin, victim).equals("down"));
            double downMs = (System.nanoTime() - t0) / 1e6;
            measured.add("dsr: storescp on %s killed -> out of the kernel's table after %.0f ms (bound: 2 x 300 ms + 500 ms,"
                    .formatted(victim, downMs) + " plus the status poll)");
            Map<String, TestInstances.Instance> afterDown = store(lab, port, 6);
            assertThat(whereStored(afterDown).get(keeper)).containsExactlyInAnyOrderElementsOf(afterDown.keySet());
            Files.writeString(held2.resolve("go"), "");
            Wait.until(SETTLE, "the second held association to be released", () -> !read(held2.resolve("rp.txt")).isEmpty());
            assertThat(read(held2.resolve("rp.txt"))).as("A-RELEASE-RP from the real server that stayed up").isEqualTo("6");

            // A reload that takes the keeper out of the pool (the other one back up): the rules follow the file.
            servers.put(victim, storescp(lab, victim, port));
            Wait.until(SETTLE, "the killed one to be back", () -> state(lab, admin, victim).equals("forwarding"));
            Files.writeString(config, yaml("dsr", port, admin, List.of(victim)));
            assertThat(cli(lab, "lb", admin, "reload")).contains("reloaded");
            Wait.until(SETTLE, "the keeper to leave the listener", () -> {
                Map<String, JsonNode> now = backends(lab, admin);
                return now.size() == 1 && now.containsKey(victim);
            });
            Map<String, TestInstances.Instance> afterReload = store(lab, port, 4);
            assertThat(whereStored(afterReload).get(victim)).containsExactlyInAnyOrderElementsOf(afterReload.keySet());

            // dicomlb stops: its table goes with it (the VIP's packets reach the appliance's own stack).
            assertThat(lab.exec("lb", "nft", "list", "tables")).contains("table netdev dicomlb");
            lb.destroy();
            assertThat(lb.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(lab.exec("lb", "nft", "list", "tables")).doesNotContain("dicomlb");
            servers.get("rs1").destroyForcibly();
            // Undoing the real-server setup: printed first (nothing changes), then applied.
            assertThat(cli(lab, "rs1", 0, "realserver-setup", "--remove", VIP)).contains("ip addr del " + VIP + "/32 dev lo");
            assertThat(lab.exec("rs1", "ip", "-o", "addr", "show", "dev", "lo")).contains(VIP);
            cli(lab, "rs1", 0, "realserver-setup", "--remove", "--apply", VIP);
            assertThat(lab.exec("rs1", "ip", "-o", "addr", "show", "dev", "lo")).doesNotContain(VIP);
        } finally {
            measured.forEach(m -> System.out.println("[kernel modes] " + m));
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void natStoresThroughConntrackWithTheAppliancesAddressAndFollowsHealth() throws Exception {
        int port = Ports.free();
        int admin = Ports.free();
        try (Lab lab = lab(false)) {
            storescp(lab, "rs1", port);
            Process rs2 = storescp(lab, "rs2", port);
            Path config = Files.writeString(work.resolve("nat.yaml"), yaml("nat", port, admin, List.of("rs1", "rs2")));
            dicomlb(lab, config);
            Wait.until(SETTLE, "both real servers to be forwarding", () -> state(lab, admin, "rs1").equals("forwarding")
                    && state(lab, admin, "rs2").equals("forwarding"));

            Map<String, TestInstances.Instance> sent = store(lab, port, 16);
            Map<String, Set<String>> where = whereStored(sent);
            measured.add("nat: 16 associations stored, rs1 " + where.get("rs1").size() + ", rs2 " + where.get("rs2").size());
            assertThat(where.get("rs1")).isNotEmpty();
            assertThat(where.get("rs2")).isNotEmpty();
            assertThat(lab.exec("lb", "nft", "list", "tables")).contains("table ip dicomlb");

            // source: appliance: the real server sees the appliance's address (masquerade), not the client's.
            Path held = hold(lab, port);
            Wait.until(SETTLE, "a real server to hold the association", () -> peers(lab, "rs1", port).contains(LB)
                    || peers(lab, "rs2", port).contains(LB));
            assertThat(peers(lab, "rs1", port)).doesNotContain(CLIENT);
            assertThat(peers(lab, "rs2", port)).doesNotContain(CLIENT);
            Files.writeString(held.resolve("go"), "");
            Wait.until(SETTLE, "the held association to be released", () -> read(held.resolve("rp.txt")).equals("6"));

            long t0 = System.nanoTime();
            rs2.destroyForcibly();
            Wait.until(SETTLE, "rs2 to be down", () -> state(lab, admin, "rs2").equals("down"));
            measured.add("nat: storescp on rs2 killed -> out of the kernel's table after %.0f ms"
                    .formatted((System.nanoTime() - t0) / 1e6));
            Map<String, TestInstances.Instance> afterDown = store(lab, port, 6);
            assertThat(whereStored(afterDown).get("rs1")).containsExactlyInAnyOrderElementsOf(afterDown.keySet());
            Wait.until(SETTLE, "the nft counters to be read", () -> backends(lab, admin).get("rs1").path("bytes").asLong() > 0);
        } finally {
            measured.forEach(m -> System.out.println("[kernel modes] " + m));
        }
    }

    /**
     * {@code source: client} on a dicom listener: the archive sees the modality's own address, with
     * the policy routing {@code dicomlb transparent-setup --apply} puts on the appliance; a listener
     * without it shows the appliance's address.
     *
     * <p>Addresses (one bridge, two subnets, inside this test's namespaces): {@code -lb} eth0
     * 198.51.100.1/24 and 203.0.113.1/24 (the listeners); {@code -rs1} 198.51.100.11/24 with its
     * default route via 198.51.100.1 (so replies to the modality go through the appliance);
     * {@code -cl} 203.0.113.100/24.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void transparentDicomListenerConnectsFromTheModalitysAddress() throws Exception {
        String front = "203.0.113.1";
        String modality = "203.0.113.100";
        int port = Ports.free();
        int plainPort = Ports.free();
        int admin = Ports.free();
        Dcmtk.storescp();
        try (Lab lab = new Lab()) {
            lab.attach("lb", LB + "/24");
            lab.attach("rs1", ADDRESS.get("rs1") + "/24");
            lab.attach("cl", modality + "/24");
            lab.exec("lb", "ip", "addr", "add", front + "/24", "dev", "eth0");
            lab.exec("rs1", "ip", "route", "add", "default", "via", LB);
            String printed = cli(lab, "lb", 0, "transparent-setup");
            assertThat(printed).contains("socket transparent 1 meta mark set 0x1", "ip -4 rule add fwmark 0x1 lookup 100");
            cli(lab, "lb", 0, "transparent-setup", "--apply");
            cli(lab, "lb", 0, "transparent-setup", "--apply"); // again: replaces, adds nothing
            assertThat(lab.exec("lb", "ip", "-4", "rule", "show").lines().filter(l -> l.contains("fwmark 0x1")).count())
                    .isEqualTo(1);
            assertThat(lab.exec("lb", "ip", "-4", "rule", "show")).contains("fwmark 0x1 lookup 100");
            storescp(lab, "rs1", port);
            Path config = Files.writeString(work.resolve("transparent.yaml"), """
                    admin: { listen: 127.0.0.1:%d }
                    listeners:
                      - { name: transparent, bind: %s:%d, mode: dicom, pool: archive, source: client }
                      - { name: plain, bind: %s:%d, mode: tcp, pool: archive }
                    pools:
                      - name: archive
                        health-check: { type: tcp, interval: 1s }
                        backends:
                          - { name: rs1, address: %s:%d }
                    """.formatted(admin, front, port, front, plainPort, ADDRESS.get("rs1"), port));
            dicomlb(lab, config);
            Wait.until(SETTLE, "an echo through the transparent listener", () -> {
                try {
                    lab.exec("cl", "timeout", "20", Dcmtk.echoscu().toString(), "-to", "5", "-aec", "ARCHIVE", front,
                            Integer.toString(port));
                    return true;
                } catch (IllegalStateException e) {
                    return false;
                }
            });

            Map<String, TestInstances.Instance> sent = store(lab, front, port, 3);
            assertThat(whereStored(sent).get("rs1")).containsExactlyInAnyOrderElementsOf(sent.keySet());

            Path held = hold(lab, front, port, "held-transparent");
            assertThat(peers(lab, "rs1", port)).as("the archive's peers while the association is open").contains(modality);
            Files.writeString(held.resolve("go"), "");
            Wait.until(SETTLE, "the held association to be released", () -> read(held.resolve("rp.txt")).equals("6"));
            Wait.until(SETTLE, "the released association to close", () -> !peers(lab, "rs1", port).contains(modality));

            // Without source: client the archive sees the appliance (health checks come from there too).
            Path plain = hold(lab, front, plainPort, "held-plain");
            assertThat(peers(lab, "rs1", port)).contains(LB).doesNotContain(modality);
            Files.writeString(plain.resolve("go"), "");
            Wait.until(SETTLE, "the plain association to be released", () -> read(plain.resolve("rp.txt")).equals("6"));

            cli(lab, "lb", 0, "transparent-setup", "--remove", "--apply");
            assertThat(lab.exec("lb", "ip", "-4", "rule", "show")).doesNotContain("fwmark 0x1");
        }
    }

    /**
     * The pair: two appliances with the same dsr listener and a {@code vip:} section. Both fill the
     * same slot tables from the same pool, so when the master dies, the flows the backup never saw
     * begin go by its fallback table to the real servers they were on: an open association ends
     * normally after the takeover.
     *
     * <p>Addresses (TEST-NET-2, inside this test's namespaces only, one bridge): {@code -lb1} eth0
     * 198.51.100.1/24 (VRRP priority 150), {@code -lb2} 198.51.100.2/24 (priority 100), the VIP
     * 198.51.100.10/24 on whichever is master; {@code -rs1} 198.51.100.11, {@code -rs2}
     * 198.51.100.12 (the VIP on lo); {@code -cl} 198.51.100.100.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void dsrFlowsKeepTheirRealServerWhenTheBackupTakesTheVipOver() throws Exception {
        int port = Ports.free();
        int admin = Ports.free();
        Tools.require("nft", "nftables");
        Tools.require("keepalived", "keepalived");
        try (Lab lab = new Lab()) {
            lab.attach("lb1", "198.51.100.1/24");
            lab.attach("lb2", "198.51.100.2/24");
            lab.attach("rs1", ADDRESS.get("rs1") + "/24");
            lab.attach("rs2", ADDRESS.get("rs2") + "/24");
            lab.attach("cl", CLIENT + "/24");
            for (String rs : List.of("rs1", "rs2")) {
                cli(lab, rs, 0, "realserver-setup", "--apply", VIP);
                storescp(lab, rs, port);
            }
            Process lb1 = null;
            for (String node : List.of("lb1", "lb2")) {
                String yaml = yaml("dsr", port, admin, List.of("rs1", "rs2")) + """
                        vip:
                          interface: eth0
                          addresses: [%s/24]
                          virtual-router-id: 52
                          priority: %d
                          track: { listeners: [images], pools: [archive] }
                        """.formatted(VIP, node.equals("lb1") ? 150 : 100);
                Process p = dicomlb(lab, node, Files.writeString(work.resolve(node + ".yaml"), yaml));
                if (node.equals("lb1")) {
                    lb1 = p;
                    Wait.until(SETTLE, "lb1 to hold the VIP", () -> vipState(lab, "lb1", admin).contains(": MASTER since"));
                }
            }
            Wait.until(SETTLE, "lb2 to run as backup", () -> vipState(lab, "lb2", admin).contains(": BACKUP since"));
            // Both carry the same rules: the same share of the slot table for each real server.
            Wait.until(SETTLE, "both appliances to forward to both real servers", () -> {
                Map<String, JsonNode> one = backends(lab, "lb1", admin);
                Map<String, JsonNode> two = backends(lab, "lb2", admin);
                return one.size() == 2 && two.size() == 2 && one.values().stream().allMatch(b -> b.path("state").asText()
                        .equals("forwarding")) && two.values().stream().allMatch(b -> b.path("state").asText().equals("forwarding"));
            });
            for (String rs : List.of("rs1", "rs2")) {
                assertThat(backends(lab, "lb2", admin).get(rs).path("slots").asInt())
                        .isEqualTo(backends(lab, "lb1", admin).get(rs).path("slots").asInt());
            }
            Map<String, TestInstances.Instance> before = store(lab, port, 4);
            whereStored(before);

            // An association held open through lb1, then lb1's dicomlb dies (its keepalived with it).
            Path held = hold(lab, port);
            long t0 = System.nanoTime();
            lb1.destroyForcibly();
            Wait.until(SETTLE, "lb2 to hold the VIP", () -> vipState(lab, "lb2", admin).contains(": MASTER since"));
            measured.add("pair: dicomlb on lb1 killed -> lb2 master after %.0f ms (as vip status shows it)"
                    .formatted((System.nanoTime() - t0) / 1e6));
            // The held association goes on through lb2 to the same real server and ends normally.
            Files.writeString(held.resolve("go"), "");
            Wait.until(SETTLE, "the held association to be released", () -> !read(held.resolve("rp.txt")).isEmpty());
            assertThat(read(held.resolve("rp.txt"))).as("A-RELEASE-RP through the new master").isEqualTo("6");
            Map<String, TestInstances.Instance> after = store(lab, port, 4);
            Map<String, Set<String>> where = whereStored(after);
            assertThat(where.get("rs1").size() + where.get("rs2").size()).isEqualTo(4);
            Wait.until(SETTLE, "lb2's counters to show the traffic", () -> backends(lab, "lb2", admin).values().stream()
                    .mapToLong(b -> b.path("packets").asLong()).sum() > 0);
        } finally {
            measured.forEach(m -> System.out.println("[kernel modes] " + m));
        }
    }

    private static String vipState(Lab lab, String role, int adminPort) {
        try {
            return cli(lab, role, adminPort, "vip", "status");
        } catch (IllegalStateException e) {
            return "";
        }
    }
}

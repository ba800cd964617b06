package org.dicomlb.gslb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Nothing a client sends crashes or wedges the responder. The seed files under
 * {@code src/test/resources/malformed/} are hand-made (named for what is wrong: truncated
 * headers, compression loops, label overruns, huge counts, broken OPT and ECS); random bytes and
 * random mutations of a valid query (seeded, so a failure repeats) follow. After each one, a
 * valid query on the same socket must still be answered.
 */
class MalformedQueryCorpusTest {
    private static final int RANDOM_PACKETS = 1500;
    private static final int MUTATIONS = 1500;
    private final GslbFixture f = new GslbFixture(pool -> Optional.of(true));
    private DatagramSocket socket;
    private int nextId = 1;

    @BeforeEach
    void start() throws Exception {
        f.apply("""
                listen: 127.0.0.1:%PORT%
                zones:
                  - { name: dicom.example.org, nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }] }
                names:
                  - name: dicom.example.org
                    members: [{ name: site, address: 127.0.1.1, pool: archive }]
                limits: { rate-limit: { responses-per-second: 0 } }
                """, Set.of("archive"));
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
    }

    @AfterEach
    void stop() {
        socket.close();
        f.close();
    }

    static List<Path> seeds() throws IOException, URISyntaxException {
        Path dir = Path.of(MalformedQueryCorpusTest.class.getResource("/malformed").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
        }
    }

    @Test
    void everySeedIsSurvivedAndAnsweredSensibly() throws Exception {
        List<Path> seeds = seeds();
        assertThat(seeds).hasSizeGreaterThanOrEqualTo(20);
        for (Path seed : seeds) {
            byte[] bad = Files.readAllBytes(seed);
            send(bad);
            Optional<Message> reply = validQueryAnswered(bad, seed.getFileName().toString());
            reply.ifPresent(r -> {
                assertThat(r.getHeader().getFlag(Flags.QR)).as(seed.toString()).isTrue();
                assertThat(r.getRcode()).as(seed.toString()).isIn(Rcode.FORMERR, Rcode.REFUSED, Rcode.NOTIMP);
            });
            if (bad.length < 12) {
                assertThat(reply).as("%s: too short for a header, so nothing to answer", seed).isEmpty();
            }
        }
        assertThat(f.registry.find("dicomlb.gslb.queries").tag("rcode", "formerr").counters().stream()
                .mapToDouble(c -> c.count()).sum()).isGreaterThanOrEqualTo(10);
    }

    @Test
    void randomBytesAndMutatedQueriesNeverStopTheServer() throws Exception {
        SplittableRandom random = new SplittableRandom(20261204);
        for (int i = 0; i < RANDOM_PACKETS; i++) {
            byte[] bad = new byte[random.nextInt(0, 600)];
            random.nextBytes(bad);
            send(bad);
            if (i % 50 == 0) {
                validQueryAnswered(bad, "random packet " + i);
            }
        }
        byte[] valid = DnsClient.query("dicom.example.org", Type.A).toWire();
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] bad = Arrays.copyOf(valid, random.nextInt(1, valid.length + 8));
            for (int flips = random.nextInt(1, 6); flips > 0; flips--) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            // Keep QR clear so the server treats it as a query and parses it.
            bad[2 % bad.length] &= bad.length > 2 ? (byte) 0x7f : (byte) 0xff;
            send(bad);
            if (i % 50 == 0) {
                validQueryAnswered(bad, "mutation " + i);
            }
        }
        validQueryAnswered(new byte[0], "the end");
    }

    @Test
    void garbageOverTcpClosesThatConnectionOnly() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 30; i++) {
            try (Socket s = new Socket("127.0.0.1", f.port)) {
                s.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
                byte[] bad = new byte[random.nextInt(0, 300)];
                random.nextBytes(bad);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                // Half the frames lie about their length; the server waits for the rest or reads garbage.
                out.writeShort(i % 2 == 0 ? bad.length : random.nextInt(65536));
                out.write(bad);
                out.flush();
                s.shutdownOutput();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int first = in.read();
                if (first >= 0) {
                    int len = first << 8 | in.read();
                    Message r = new Message(in.readNBytes(len));
                    assertThat(r.getRcode()).isIn(Rcode.FORMERR, Rcode.REFUSED, Rcode.NOTIMP, Rcode.NOERROR, Rcode.NXDOMAIN);
                }
            }
        }
        assertThat(GslbFixture.addresses(f.client().tcp("dicom.example.org", Type.A))).containsExactly("127.0.1.1");
    }

    private void send(byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, f.address()));
    }

    /**
     * Sends a valid query and reads until its answer arrives; returns the reply to the bad packet
     * if one came before it.
     */
    private Optional<Message> validQueryAnswered(byte[] after, String what) throws IOException {
        int id = nextId++ & 0xffff;
        Message q = DnsClient.query("dicom.example.org", Type.A);
        q.getHeader().setID(id);
        send(q.toWire());
        Message badReply = null;
        while (true) {
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer to a valid query after " + what + " (" + after.length + " bytes: "
                        + java.util.HexFormat.of().formatHex(after) + ")");
            }
            byte[] data = Arrays.copyOf(buf, p.getLength());
            Message m;
            try {
                m = new Message(data);
            } catch (IOException e) {
                // A bare FORMERR header for an unparsable query is still a message; anything else is a bug.
                throw new AssertionError("unparsable reply after " + what + ": " + java.util.HexFormat.of().formatHex(data), e);
            }
            if (m.getHeader().getID() == id && m.getRcode() == Rcode.NOERROR && !GslbFixture.addresses(m).isEmpty()) {
                assertThat(GslbFixture.addresses(m)).containsExactly("127.0.1.1");
                return Optional.ofNullable(badReply);
            }
            badReply = m;
        }
    }
}

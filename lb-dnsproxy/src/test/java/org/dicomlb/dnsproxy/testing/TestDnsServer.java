package org.dicomlb.dnsproxy.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.testkit.Ports;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A recursive resolver the test controls, on loopback, UDP and TCP on one port: it answers from a
 * table it is given, and on cue goes silent, answers SERVFAIL, REFUSED, NXDOMAIN or NODATA,
 * truncates every UDP answer, answers with the wrong id, or stops listening altogether (so the
 * kernel answers ICMP port unreachable) and starts again on the same port.
 *
 * <p>Shared with the engine's, the CLI's and the harness's tests through this module's test jar.
 */
public final class TestDnsServer implements AutoCloseable {
    public enum Mode { ANSWER, SILENT, SERVFAIL, REFUSED, NXDOMAIN, NODATA, TRUNCATE, WRONG_ID }

    private static final long TTL = 5;

    private final InetSocketAddress address;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger udpQueries = new AtomicInteger();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private volatile Mode mode = Mode.ANSWER;
    private volatile DatagramSocket udp;
    private volatile ServerSocket tcp;

    private TestDnsServer(InetSocketAddress address) {
        this.address = address;
    }

    public static TestDnsServer start(String host) throws IOException {
        TestDnsServer s = new TestDnsServer(new InetSocketAddress(InetAddress.ofLiteral(host), Ports.free(host)));
        s.listen();
        return s;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Answers {@code name} with these addresses (A for IPv4, AAAA for IPv6), in this order; none removes it. */
    public TestDnsServer answer(String name, String... ips) {
        List<Record> list = new ArrayList<>();
        for (String ip : ips) {
            InetAddress a = InetAddress.ofLiteral(ip);
            list.add(a instanceof Inet4Address ? new ARecord(name(name), DClass.IN, TTL, a)
                    : new AAAARecord(name(name), DClass.IN, TTL, a));
        }
        if (list.isEmpty()) {
            records.remove(name(name));
        } else {
            records.put(name(name), List.copyOf(list));
        }
        return this;
    }

    /** {@code alias} is a CNAME for {@code target}. */
    public TestDnsServer cname(String alias, String target) {
        records.put(name(alias), List.of(new CNAMERecord(name(alias), DClass.IN, TTL, name(target))));
        return this;
    }

    public TestDnsServer mode(Mode m) {
        this.mode = m;
        return this;
    }

    public int udpQueries() {
        return udpQueries.get();
    }

    public int tcpQueries() {
        return tcpQueries.get();
    }

    /** Closes both sockets: queries now get ICMP port unreachable (UDP) or a refused connection (TCP). */
    public void stop() {
        closeQuietly(udp);
        closeQuietly(tcp);
        connections.forEach(TestDnsServer::closeQuietly);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    /** Listens again on the same port. */
    public void restart() throws IOException {
        stop();
        listen();
    }

    @Override
    public void close() {
        stop();
    }

    private void listen() throws IOException {
        udp = new DatagramSocket(null);
        udp.setReuseAddress(true);
        udp.bind(address);
        tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(address);
        DatagramSocket u = udp;
        ServerSocket t = tcp;
        threads.add(Thread.ofPlatform().daemon().name("test-dns-udp").start(() -> serveUdp(u)));
        threads.add(Thread.ofPlatform().daemon().name("test-dns-tcp").start(() -> serveTcp(t)));
    }

    private void serveUdp(DatagramSocket socket) {
        byte[] buf = new byte[65535];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            udpQueries.incrementAndGet();
            byte[] reply = respond(java.util.Arrays.copyOf(p.getData(), p.getLength()), false);
            if (reply != null) {
                try {
                    socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }
    }

    private void serveTcp(ServerSocket server) {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            connections.add(s);
            Thread.ofVirtual().start(() -> serveConnection(s));
        }
    }

    private void serveConnection(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            while (true) {
                int len = in.readUnsignedShort();
                byte[] q = in.readNBytes(len);
                if (q.length < len) {
                    return;
                }
                tcpQueries.incrementAndGet();
                byte[] reply = respond(q, true);
                if (reply != null) {
                    out.writeShort(reply.length);
                    out.write(reply);
                    out.flush();
                }
            }
        } catch (EOFException | SocketException e) {
            // The client closed, or stop() did.
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            connections.remove(s);
        }
    }

    private byte[] respond(byte[] wire, boolean overTcp) {
        Message q;
        try {
            q = new Message(wire);
        } catch (IOException e) {
            return null;
        }
        Mode m = mode;
        if (m == Mode.SILENT) {
            return null;
        }
        Record question = q.getQuestion();
        Message r = new Message(m == Mode.WRONG_ID ? (q.getHeader().getID() + 1) & 0xffff : q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        r.addRecord(question, Section.QUESTION);
        switch (m) {
            case SERVFAIL -> r.getHeader().setRcode(Rcode.SERVFAIL);
            case REFUSED -> r.getHeader().setRcode(Rcode.REFUSED);
            case NXDOMAIN -> nxdomain(r, question.getName());
            case NODATA -> r.addRecord(soa(question.getName()), Section.AUTHORITY);
            case TRUNCATE -> {
                if (overTcp) {
                    fill(r, question);
                } else {
                    r.getHeader().setFlag(Flags.TC);
                }
            }
            default -> fill(r, question);
        }
        return r.toWire();
    }

    private void fill(Message r, Record question) {
        Name current = question.getName();
        for (int hop = 0; hop < 8; hop++) {
            List<Record> rs = records.get(current);
            if (rs == null) {
                if (hop == 0) {
                    nxdomain(r, current);
                }
                return;
            }
            if (rs.getFirst() instanceof CNAMERecord c) {
                r.addRecord(c, Section.ANSWER);
                current = c.getTarget();
                continue;
            }
            boolean any = false;
            for (Record rec : rs) {
                if (rec.getType() == question.getType()) {
                    r.addRecord(rec, Section.ANSWER);
                    any = true;
                }
            }
            if (!any && hop == 0) {
                r.addRecord(soa(current), Section.AUTHORITY);
            }
            return;
        }
    }

    private static void nxdomain(Message r, Name n) {
        r.getHeader().setRcode(Rcode.NXDOMAIN);
        r.addRecord(soa(n), Section.AUTHORITY);
    }

    private static SOARecord soa(Name n) {
        Name zone = n.labels() > 2 ? new Name(n, n.labels() - 3) : n;
        return new SOARecord(zone, DClass.IN, TTL, name("ns1." + zone), name("hostmaster." + zone), 1, 3600, 600, 86400, TTL);
    }

    public static Name name(String s) {
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing is all we want; a second close may complain.
            }
        }
    }
}

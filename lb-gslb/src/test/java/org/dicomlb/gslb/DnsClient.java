package org.dicomlb.gslb;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.function.Consumer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;

/**
 * A DNS client for tests: sends one query over UDP (from a chosen loopback source address, so
 * tests can stand in for clients of different datacenters) or TCP and returns the response.
 */
public final class DnsClient {
    public static final int TIMEOUT_MILLIS = 5000;

    private final InetSocketAddress server;

    public DnsClient(InetSocketAddress server) {
        this.server = server;
    }

    public static Message query(String name, int type) {
        try {
            Message m = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
            m.getHeader().setFlag(Flags.RD);
            return m;
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public Message udp(String name, int type) throws IOException {
        return udp(query(name, type), InetAddress.getLoopbackAddress());
    }

    public Message udp(String name, int type, Consumer<Message> edit) throws IOException {
        Message q = query(name, type);
        edit.accept(q);
        return udp(q, InetAddress.getLoopbackAddress());
    }

    public Message udp(Message query, InetAddress from) throws IOException {
        return new Message(udpRaw(query.toWire(), from));
    }

    /** Sends raw bytes over UDP and returns the raw response; throws {@link SocketTimeoutException} if none comes. */
    public byte[] udpRaw(byte[] bytes, InetAddress from) throws IOException {
        return udpRaw(bytes, from, TIMEOUT_MILLIS);
    }

    public byte[] udpRaw(byte[] bytes, InetAddress from, int timeoutMillis) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, 0))) {
            s.setSoTimeout(timeoutMillis);
            s.send(new DatagramPacket(bytes, bytes.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            return Arrays.copyOf(buf, p.getLength());
        }
    }

    public Message tcp(String name, int type) throws IOException {
        return new Message(tcpRaw(query(name, type).toWire()));
    }

    public byte[] tcpRaw(byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(bytes.length);
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int len = in.readUnsignedShort();
            return in.readNBytes(len);
        }
    }
}
